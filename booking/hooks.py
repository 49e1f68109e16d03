"""What booking asks of the intake app: the one declared way from booking into intake.

Dependencies point one way, ``clients`` → ``booking``: the intake app builds on
appointments and the notification table, so booking never imports it. Booking still
needs three answers about intake — what a booking adds (an invitation, a nudge),
whether a session must wait for intake, and the link an intake email carries — so
the intake app registers them here when Django starts (``clients.apps``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class IntakeHooks:
    # In the booking transaction: set up the client's intake for this appointment;
    # returns the ids of notifications due now.
    for_booking: Callable[..., list[int]]
    # Whether a session type that requires intake must wait for this client's.
    needed_before_confirming: Callable[..., bool]
    # The intake link an email carries, and for how many days it works.
    link: Callable[..., tuple[str, int]]


_registered: IntakeHooks | None = None


def register_intake(hooks: IntakeHooks) -> None:
    global _registered
    _registered = hooks


def _intake() -> IntakeHooks:
    if _registered is None:
        # Loud on purpose: booking without the intake app would silently skip intake.
        raise ImproperlyConfigured("No intake hooks registered: is 'clients' in INSTALLED_APPS?")
    return _registered


def intake_for_booking(*, appointment, now: datetime) -> list[int]:
    return _intake().for_booking(appointment=appointment, now=now)


def intake_needed_before_confirming(client) -> bool:
    return _intake().needed_before_confirming(client)


def intake_link(intake) -> tuple[str, int]:
    return _intake().link(intake)
