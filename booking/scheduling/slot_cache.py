"""The slots cache: one therapist's availability facts, keyed by their versions.

Pure: no ORM. ``booking.scheduling.selectors`` reads the versions and, on a
miss, the facts; this module says what an entry holds, when one may answer,
and turns an entry into the engine's ``slots.Rules`` for one question.

Why it cannot answer stale:
1. The key holds the therapist's and the practice's availability versions
   (``booking.models.AvailabilityVersion``), which database triggers replace
   with a fresh random value in the transaction of every write that changes a
   fact (migration 0023). A reader that sees a write's commit sees its new
   version, so it misses and reads afresh. The key holds the therapist's zone
   too, since time off is stored as instants computed in it.
2. Nothing that depends on "now" is baked in. Holds keep their expiry and are
   dropped at read time once expired (a hold that lapses frees its time with
   no write at all); notice, horizon and the session type's duration, buffers,
   step and modality are applied per question. An entry built at a later
   "now" than the question's (a clock that went back) does not answer, since
   it left out holds that had expired by then.
3. An entry covers a stated range of local dates and answers only questions
   inside it; the answer is cut to exactly what an uncached read would give.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache

from booking.scheduling import slots

# An entry covers from yesterday to this far ahead (past a 60-day horizon), or more
# if the question asks: week-by-week browsing then shares one entry.
COVER_AHEAD = timedelta(days=70)
# Entries under retired versions are never read again; let them go in time.
ENTRY_SECONDS = 6 * 60 * 60

Versions = tuple[str | None, str | None]  # (therapist's, practice's)


@dataclass(frozen=True)
class Facts:
    """What the engine needs of one therapist over [first_day, last_day] (local dates)."""

    first_day: date
    last_day: date
    built_at: float  # POSIX seconds of the "now" holds were read at
    weekly: tuple[tuple[int, time, time, str], ...]  # weekday, start, end, modality
    extra: tuple[tuple[date, time, time], ...]
    time_off: tuple[tuple[float, float], ...]
    # Blocked spans: (appointment id, start, end, hold expiry or None), POSIX seconds.
    busy: tuple[tuple[int, float, float, float | None], ...]

    def answers(self, first_day: date, last_day: date, now: datetime) -> bool:
        return (
            self.first_day <= first_day
            and last_day <= self.last_day
            and self.built_at <= now.timestamp()
        )

    def rules(
        self,
        *,
        zone,
        modality: str,
        first_day: date,
        last_day: date,
        now: datetime,
        exclude_appointment_id: int | None = None,
    ) -> slots.Rules:
        """The engine's rules for one question: hours for this modality, extra hours on
        the asked dates, and busy time without expired holds or the excluded session."""
        weekly = defaultdict(list)
        for weekday, start, end, only in self.weekly:
            if only in ("", modality):
                weekly[weekday].append((start, end))
        extra = defaultdict(list)
        for day, start, end in self.extra:
            if first_day <= day <= last_day:
                extra[day].append((start, end))
        at = now.timestamp()
        busy = [
            (s, e)
            for pk, s, e, expires in self.busy
            if pk != exclude_appointment_id and (expires is None or expires > at)
        ]
        return slots.Rules(
            zone=zone, weekly=weekly, extra=extra, time_off=list(self.time_off), busy=busy
        )


def cover(first_day: date, last_day: date, today: date) -> tuple[date, date]:
    """The dates a new entry reads: the question's, widened to yesterday..today+COVER_AHEAD."""
    return min(first_day, today - timedelta(days=1)), max(last_day, today + COVER_AHEAD)


def _key(therapist_id: int, zone_name: str, versions: Versions) -> str:
    return f"slots:v1:{therapist_id}:{zone_name}:{versions[0]}:{versions[1]}"


def usable(versions: Versions | None) -> bool:
    """A scope without a version row (never written since the triggers) is not cached."""
    return versions is not None and None not in versions


def entry_get(therapist_id: int, zone_name: str, versions: Versions) -> Facts | None:
    entry = cache.get(_key(therapist_id, zone_name, versions))
    return entry if isinstance(entry, Facts) else None


def entry_set(therapist_id: int, zone_name: str, versions: Versions, facts: Facts) -> None:
    cache.set(_key(therapist_id, zone_name, versions), facts, ENTRY_SECONDS)
