"""Holds from the public booking pages: who holds what, and how many.

Without details a hold is anonymous, so it is tied to the browser (a random
cookie) and the client address (the rate limiter's rule, so it works behind
the documented proxy). Both are stored as keyed hashes in a HoldClaim.

- One hold per browser: picking another time releases the previous hold
  (it expires now: the time is free for everyone, and the old tab can still
  book it if nobody took it). Picking the same time again (Back, a double
  tap) returns the same hold instead of "taken".
- At most HOLDS_PER_ADDRESS active holds per client address: TooManyHolds
  (the page answers 429) until one of them expires or is booked.
- A hold starts at HOLD_UNTIL_DETAILS and gets HOLD_DURATION once, when its
  details page first opens.
"""

import hashlib
import hmac
import math
import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.exceptions import SlotUnavailable, TooManyHolds
from booking.models import (
    HOLD_DURATION,
    HOLD_UNTIL_DETAILS,
    Appointment,
    AppointmentStatus,
    HoldClaim,
)
from booking.scheduling import selectors, services
from practice.models import SessionType, Therapist

TOO_MANY_MESSAGE = (
    "Your connection is already holding several times that have not been booked yet. "
    "Please finish booking one of them, or try again in a few minutes."
)


def holder_key(value: str) -> str:
    """A keyed hash: the table never shows an address or a cookie that could be replayed."""
    key = hashlib.sha256(b"booking.holds:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _active(claims, now: datetime):
    return claims.filter(
        appointment__status=AppointmentStatus.HELD, appointment__hold_expires_at__gt=now
    )


def _current(browser: str, now: datetime) -> Appointment | None:
    claim = _active(HoldClaim.objects.filter(browser=browser), now).select_related("appointment")
    found = claim.order_by("-appointment__hold_expires_at").first()
    return found.appointment if found else None


def hold_current(*, browser_cookie: str, now: datetime | None = None) -> Appointment | None:
    """This browser's live hold (its cookie's raw value), or None.

    The times page treats it as free for this browser: the client can go back
    and pick it (or a neighbour it blocks) again.
    """
    if not browser_cookie:
        return None
    return _current(holder_key(browser_cookie), now or timezone.now())


def _same_choice(hold, *, session_type, therapists, start) -> bool:
    return (
        hold.session_type_id == session_type.pk
        and hold.start == start
        and hold.therapist_id in {t.pk for t in therapists}
    )


def hold_for_browser(
    *,
    browser: str,
    address: str,
    session_type: SessionType,
    therapists: list[Therapist],
    start: datetime,
    now: datetime | None = None,
    public_id: uuid.UUID | None = None,
    source_ref: str = "",
    client_region: str = "",
) -> Appointment:
    """Hold ``start`` with one of ``therapists`` (picked fairly) for this browser and address.

    A video session goes only to a therapist licensed in ``client_region``.

    Steps: the browser's current hold for the same choice is returned as is;
    otherwise its holds are released (its own hold may block the time it asks
    for), the time is checked free (SlotUnavailable: a time taken is said to be
    taken, whatever the address holds), the address's active holds are counted
    against the limit (TooManyHolds), and a new short hold is made and claimed.
    All in one transaction, so a refusal leaves the previous hold in place.
    """
    now = now or timezone.now()
    browser, address = holder_key(browser), holder_key(address)
    with transaction.atomic():
        current = _current(browser, now)
        if current and _same_choice(
            current, session_type=session_type, therapists=therapists, start=start
        ):
            return current
        Appointment.objects.filter(
            hold_claim__browser=browser, status=AppointmentStatus.HELD, hold_expires_at__gt=now
        ).update(hold_expires_at=now)
        try:
            free = _free_for(
                session_type=session_type,
                therapists=therapists,
                start=start,
                now=now,
                client_region=client_region,
            )
            # After the conflict check: behind one shared address (a clinic's wifi) a
            # taken time is "taken", not "too many held".
            _require_below_limit(address, now)
            hold = services.appointment_hold(
                therapist=selectors.therapist_pick_fairly(candidates=free, start=start),
                session_type=session_type,
                start=start,
                now=now,
                duration=HOLD_UNTIL_DETAILS,
                public_id=public_id,
                source_ref=source_ref,
                client_region=client_region,
            )
        except SlotUnavailable:
            # A double tap whose twin committed first: that hold is this browser's.
            again = _current(browser, now)
            if again and _same_choice(
                again, session_type=session_type, therapists=therapists, start=start
            ):
                return again
            raise
        HoldClaim.objects.create(appointment=hold, browser=browser, address=address)
    return hold


def _require_below_limit(address: str, now: datetime) -> None:
    held = list(
        _active(HoldClaim.objects.filter(address=address), now).values_list(
            "appointment__hold_expires_at", flat=True
        )
    )
    if len(held) >= settings.HOLDS_PER_ADDRESS:
        wait = math.ceil((min(held) - now).total_seconds())
        raise TooManyHolds(TOO_MANY_MESSAGE, retry_after=max(wait, 1))


def _free_for(*, session_type, therapists, start, now, client_region) -> list[Therapist]:
    """Those of ``therapists`` free at ``start`` (reads only); SlotUnavailable if none.

    A video session counts only those licensed in ``client_region``; if nobody is,
    the first is returned so the service refuses, naming the contact (NotLicensed).
    """
    licensed = selectors.therapists_licensed_for(
        therapists, session_type=session_type, region=client_region
    )
    if therapists and not licensed:
        return therapists[:1]
    free = [
        t
        for t in licensed
        if selectors.slot_is_free(therapist=t, session_type=session_type, start=start, now=now)
    ]
    if not free:
        raise SlotUnavailable(services.TAKEN_MESSAGE)
    return free


def hold_extend_for_details(*, hold: Appointment, now: datetime | None = None) -> None:
    """Give a claimed hold HOLD_DURATION from now, once: when its details page first opens.

    Only a live hold: an expired one keeps its expiry (the form can still book
    it if nobody took the time). ``hold.hold_expires_at`` is updated in place.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = HoldClaim.objects.filter(
            appointment=hold,
            extended=False,
            appointment__status=AppointmentStatus.HELD,
            appointment__hold_expires_at__gt=now,
        ).update(extended=True)
        if claimed:
            hold.hold_expires_at = now + HOLD_DURATION
            Appointment.objects.filter(pk=hold.pk).update(hold_expires_at=hold.hold_expires_at)
