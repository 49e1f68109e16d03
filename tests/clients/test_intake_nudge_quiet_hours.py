"""The 48-hour intake nudge keeps the client's quiet hours, as reminders do."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.models import Notification, NotificationKind
from booking.scheduling.services import appointment_book
from tests.clients.conftest import THURSDAY_10
from tests.factories import ClientFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def test_a_nudge_falling_in_quiet_hours_moves_earlier_to_their_start(
    now, therapist, intake_practice
):
    person = ClientFactory(practice=intake_practice, time_zone="Asia/Tokyo")
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=person,
        start=THURSDAY_10,
    )
    plain = (THURSDAY_10 - timedelta(hours=48)).astimezone(TOKYO)
    assert plain.time() == time(0)  # midnight in Tokyo: inside 21:00-08:00
    expected = datetime.combine(plain.date() - timedelta(days=1), time(21), tzinfo=TOKYO)
    nudge = Notification.objects.get(kind=NotificationKind.INTAKE_NUDGE)
    assert nudge.due_at == expected.astimezone(UTC)
