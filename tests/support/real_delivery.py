"""A real mail server and a real Celery worker, for the tests that follow a message
the whole way (import the fixtures where they are used)."""

import pytest

from practice.celery import app
from tests.support.celery_helpers import in_process_worker, not_eager, wait_for_quiet_database
from tests.support.smtp_server import smtp_server


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback that counts what it receives by notification id."""
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.EMAIL_TIMEOUT = 2
        yield server


@pytest.fixture
def worker(smtp):
    """A real Celery worker (threads, in this process) on the test broker."""
    with not_eager():
        app.control.purge()
        with in_process_worker(pool="threads", concurrency=2):
            yield
        wait_for_quiet_database()
