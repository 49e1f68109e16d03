"""When the database connection drops: retry on a fresh one, or answer 503.

A PostgreSQL restart, a failover or a pooler recycling connections kills the
app's connections under it. What is safe to do about it depends on where the
failure came:

- a single write that is idempotent (a conditional UPDATE: marking a message
  sent) can simply be repeated on a fresh connection (``retry_on_fresh_connection``);
- a whole transaction that failed *before* its COMMIT was sent left nothing
  behind and can run again (``atomic_retrying``); one that failed *during*
  COMMIT may or may not have landed, so it is looked up, never repeated;
- anything else answers 503 with Retry-After (``practice.errors.DatabaseUnavailableMiddleware``),
  JSON under /api/, the practice's page otherwise, never a bare 500.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection, transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

# What a dropped or refused connection raises (Django wraps the driver's errors).
DISCONNECTS = (OperationalError, InterfaceError)
# Pauses between attempts: about 7.5 s in all, a PostgreSQL restart's usual length.
PAUSES = (0.0, 0.2, 0.5, 1.0, 2.0, 4.0)
RETRY_AFTER_SECONDS = 30


def reset_connection() -> None:
    """Drop this thread's connection so the next query opens a fresh one."""
    try:
        connection.close()
    except DISCONNECTS:  # closing a dead connection can complain; it is gone either way
        connection.connection = None


def retry_on_fresh_connection(fn: Callable[[], T], *, pauses=None, what: str = "query") -> T:
    """Run ``fn`` (an idempotent write or a whole transaction of its own) until it lands.

    Only outside a transaction: inside one (an eager task in a test, a
    caller's atomic block), the transaction is lost with the connection and
    only its owner can start it again, so ``fn`` runs once.
    """
    if connection.in_atomic_block:
        return fn()
    pauses = PAUSES if pauses is None else pauses  # read now: a test may shorten PAUSES
    for attempt, pause in enumerate(pauses, start=1):
        try:
            return fn()
        except DISCONNECTS:
            if attempt == len(pauses):
                raise
            log.warning("Database connection lost during %s; retrying (attempt %d)", what, attempt)
            reset_connection()
            time.sleep(pause)
    raise AssertionError("unreachable")


def atomic_retrying(fn: Callable[[], T], *, landed: Callable[[T], bool], attempts: int = 2) -> T:
    """Run ``fn`` in a transaction; on a dropped connection, run it again or look it up.

    If the connection died before COMMIT was sent, nothing was written: run
    ``fn`` again on a fresh connection (once by default). If it died during
    COMMIT, the transaction may have landed: ``landed(result)`` (a fresh query)
    says whether it did, and if so its result stands. Either way a client is
    never told "error" for a booking that was made.

    Inside a caller's transaction (a series cancelling its sessions, a test's
    atomic block) ``fn`` simply runs once: the caller owns the COMMIT.
    """
    if connection.in_atomic_block:
        return fn()
    for attempt in range(1, attempts + 1):
        committing, result = False, None
        try:
            with transaction.atomic():
                result = fn()
                committing = True  # the last statement inside: an error after it is COMMIT's
            return result
        except DISCONNECTS:
            reset_connection()
            if committing:
                check = functools.partial(landed, result)
                if retry_on_fresh_connection(check, what="a commit check"):
                    return result
                raise
            if attempt == attempts:
                raise
            log.warning("Database connection lost before commit; running the transaction again")
    raise AssertionError("unreachable")
