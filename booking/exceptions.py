"""Domain errors raised by the booking services; the API maps each to one HTTP answer."""

from practice.exceptions import DomainError


class BookingError(DomainError):
    """Base class. ``message`` is written for the person who made the request."""

    code = "booking_error"


class InvalidBooking(BookingError):
    """The request itself is wrong (naive time, unknown combination): 400."""

    code = "invalid"
    http_status = 400


class SlotUnavailable(BookingError):
    """The time is taken or was never offered: 409."""

    code = "slot_unavailable"


class PolicyViolation(BookingError):
    """The practice's policy forbids it (e.g. inside the late-cancel window): 409."""

    code = "policy"


class NotLicensed(BookingError):
    """A video session where the therapist holds no licence (or compact privilege): 409."""

    code = "not_licensed"


class NotChangeable(BookingError):
    """The appointment is no longer active (already cancelled, in the past): 409."""

    code = "not_changeable"


class TooManyHolds(BookingError):
    """One client address holds HOLDS_PER_ADDRESS times already: 429 after ``retry_after``."""

    code = "too_many_holds"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class SessionsInsideTimeOff(BookingError):
    """Time off would cover booked sessions and nobody said what becomes of each: 409.

    ``appointments`` lists them; the caller asks "keep or cancel?" for each.
    """

    code = "sessions_inside_time_off"

    def __init__(self, appointments: list):
        count = len(appointments)
        super().__init__(
            f"{count} booked session{'s' if count != 1 else ''} fall{'s' if count == 1 else ''} "
            "inside this time off: say for each whether to keep it, move it or cancel it (the "
            "client is told)."
        )
        self.appointments = appointments

    @property
    def extra(self) -> dict:
        return {"sessions": [str(a.public_id) for a in self.appointments]}


class SessionsNear(BookingError):
    """Staff booking a client who already has a session that day or coming up soon, without
    saying they mean it (``near_ok``): 409, with those sessions. A warning, never a refusal."""

    code = "sessions_near"

    def __init__(self, appointments: list, *, days: int):
        count = len(appointments)
        super().__init__(
            f"The client already has {'a session' if count == 1 else f'{count} sessions'} "
            f"that day or in the next {days} days. Book another only if that is what they "
            "asked for: send near_ok: true to book it anyway."
        )
        self.appointments = appointments

    @property
    def extra(self) -> dict:
        return {
            "sessions": [
                {"id": str(a.public_id), "start": a.start.isoformat(), "status": a.status}
                for a in self.appointments
            ]
        }


class InThePast(BookingError):
    """Staff booking a time that has passed without saying it is a record of a session that
    took place (``past_ok``): 409. With it, the session is recorded and the client sent
    nothing — the page's "Record this past session"."""

    code = "in_the_past"

    def __init__(self):
        super().__init__(
            "That time has passed. If you are recording a session that took place, send "
            "past_ok: true: it is recorded as confirmed and the client is sent nothing. "
            "Nothing was booked."
        )
