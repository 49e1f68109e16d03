"""The fault tests' mail server and worker (tests/support/real_delivery.py)."""

from tests.support.real_delivery import smtp, worker  # noqa: F401
