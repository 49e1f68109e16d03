"""A busy therapist's feed for bench/side_by_side.sh: python -m bench.side_by_side_feed OUT.

Gives the demo practice's last therapist 1,500 sessions inside the feed's
window (90 days back to 365 ahead: eight a day on weekdays, hourly from
09:00 UTC), with the demo clients in turn, and writes the feed's path to OUT.
"""

import os
import sys
from datetime import UTC, datetime, time, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from booking.feeds import feeds  # noqa: E402
from booking.models import Appointment, FeedKind  # noqa: E402
from clients.models import Client  # noqa: E402
from practice.models import Therapist  # noqa: E402

EVENTS = 1_500


def main(out_path: str) -> None:
    therapist = Therapist.objects.filter(is_active=True).order_by("-pk").first()
    session_type = therapist.session_types.filter(is_active=True).first()
    clients = list(Client.objects.filter(practice=therapist.practice)[:50])
    first_day = (timezone.now() - timedelta(days=60)).date()
    starts = []
    day = first_day
    while len(starts) < EVENTS:
        if day.weekday() < 5:
            starts += [datetime.combine(day, time(9 + h), tzinfo=UTC) for h in range(8)]
        day += timedelta(days=1)
    rows = []
    for i, start in enumerate(starts[:EVENTS]):
        appointment = Appointment(
            practice=therapist.practice,
            therapist=therapist,
            session_type=session_type,
            client=clients[i % len(clients)],
            status="confirmed",
        )
        appointment.set_times(start, buffer_before=timedelta(0), buffer_after=timedelta(0))
        rows.append(appointment)
    Appointment.objects.filter(therapist=therapist).delete()
    Appointment.objects.bulk_create(rows, batch_size=2000)
    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )
    path = "/calendar/" + feeds.feed_urls(feed)["https"].rsplit("/calendar/", 1)[1]
    with open(out_path, "w") as out:
        out.write(path + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
