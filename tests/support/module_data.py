"""Rows that many cases of one module only read, built once for the module."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back_after_the_module(django_db_blocker):
    """An open transaction for a module-scoped fixture to build its rows in (unblock the
    database to build them). Each case's own transaction is then a savepoint of it,
    rolled back after the case as usual; the rows go when the module ends."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
