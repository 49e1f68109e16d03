"""Write the starts bench/side_by_side.sh books: python -m bench.side_by_side_slots EACH RACE.

EACH: offered starts of the demo practice's in-person types over the next
year, none overlapping another of the same therapist (buffers included), so
every one can be booked once: "therapist session_type start" per line, the
therapists interleaved. RACE: six consecutive offered starts of one therapist
that overlap each other, for the contended step.
"""

import os
import sys
from datetime import timedelta
from itertools import zip_longest

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from booking.scheduling.selectors import slot_list  # noqa: E402
from practice.models import Practice, SessionType  # noqa: E402

DAYS = 365


def main(each_path: str, race_path: str) -> None:
    # A year of bookable time, so a fast step never runs out of starts.
    Practice.objects.update(booking_horizon=timedelta(days=DAYS))
    SessionType.objects.update(booking_horizon=None)
    now = timezone.now()
    per_therapist, race = [], []
    seen = set()
    for session_type in SessionType.objects.filter(modality="in_person", is_active=True):
        for therapist in session_type.therapists.filter(is_active=True):
            if therapist.pk in seen:  # one type each: two types' starts would overlap
                continue
            seen.add(therapist.pk)
            starts = slot_list(
                therapist=therapist,
                session_type=session_type,
                window_start=now,
                window_end=now + timedelta(days=DAYS - 1),
                now=now,
            )
            rows, free_from = [], None
            block = session_type.buffer_before + session_type.duration + session_type.buffer_after
            for start in starts:
                if free_from is None or start - session_type.buffer_before >= free_from:
                    rows.append(f"{therapist.pk} {session_type.pk} {start.isoformat()}")
                    free_from = start - session_type.buffer_before + block
            per_therapist.append(rows)
            if not race:
                race = [f"{therapist.pk} {session_type.pk} {s.isoformat()}" for s in starts[:6]]
    with open(each_path, "w") as each:
        for group in zip_longest(*per_therapist):
            each.writelines(f"{row}\n" for row in group if row)
    with open(race_path, "w") as racing:
        racing.writelines(f"{row}\n" for row in race)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
