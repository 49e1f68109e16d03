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

import hashlib
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.core.cache import cache

from booking.scheduling import slots

# An entry covers from yesterday to this far ahead (past a 60-day horizon), or more
# if the question asks: week-by-week browsing then shares one entry.
COVER_AHEAD = timedelta(days=70)
# Entries under retired versions are never read again; let them go in time.
ENTRY_SECONDS = 6 * 60 * 60
# Answers are one per question (window, zone): anyone can ask many, so they are kept
# only as long as a question is asked again in earnest (a page left open, a busy week),
# which bounds what one client can make the cache hold to its rate limit's worth.
ANSWER_SECONDS = 10 * 60

Versions = tuple[str | None, str | None]  # (therapist's, practice's)
# Kept answers are the engine's output: a new engine (a deploy) never reads an old one's.
ENGINE_FINGERPRINT = hashlib.sha256(
    Path(slots.__file__).read_bytes() + Path(__file__).read_bytes()
).hexdigest()[:16]


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


@dataclass(frozen=True)
class Answer:
    """The free starts of one question before notice and horizon cut them.

    ``starts`` (POSIX seconds, ascending) is what the engine offers in the window
    with every start allowed, holds as they stood at ``built_at``. Notice and
    horizon only remove starts, so ``answer_starts`` cuts them per question; the
    only thing time adds back is a hold lapsing, so the entry answers until the
    first hold that could touch the window expires (``valid_until``), and never
    a question asked at an earlier "now" than its own.
    """

    built_at: float
    valid_until: float
    starts: tuple[float, ...]

    def answers(self, now: datetime) -> bool:
        return self.built_at <= now.timestamp() < self.valid_until


def answer_build(
    facts: Facts,
    rules: slots.Rules,
    request: slots.Request,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
) -> Answer:
    """The engine's answer over the whole window (no notice, no horizon) at ``now``."""
    uncut = slots.Request(
        duration=request.duration,
        step=request.step,
        earliest=window_start,
        latest=window_end,
        buffer_before=request.buffer_before,
        buffer_after=request.buffer_after,
    )
    starts = tuple(s.timestamp() for s in slots.free_slots(rules, uncut, window_start, window_end))
    at = now.timestamp()
    # A hold can free a start only if its span meets a candidate's buffered span.
    reach_lo = window_start.timestamp() - request.buffer_before.total_seconds()
    reach_hi = (window_end + request.duration + request.buffer_after).timestamp()
    lapses = [
        expires
        for _pk, s, e, expires in facts.busy
        if expires is not None and expires > at and e > reach_lo and s < reach_hi
    ]
    return Answer(built_at=at, valid_until=min(lapses, default=float("inf")), starts=starts)


def answer_starts(answer: Answer, request: slots.Request) -> list[datetime]:
    """The answer's starts within notice and horizon: what ``slots.free_slots`` gives."""
    lo = bisect_left(answer.starts, request.earliest.timestamp())
    hi = bisect_left(answer.starts, request.latest.timestamp() + 1e-6, lo)
    return [datetime.fromtimestamp(s, UTC) for s in answer.starts[lo:hi]]


def _answer_key(
    therapist_id: int,
    zone_name: str,
    versions: Versions,
    modality: str,
    request: slots.Request,
    window_start: datetime,
    window_end: datetime,
) -> str:
    shape = (
        request.duration.total_seconds(),
        request.step.total_seconds(),
        request.buffer_before.total_seconds(),
        request.buffer_after.total_seconds(),
    )
    return (
        f"slots:answer:{ENGINE_FINGERPRINT}:{therapist_id}:{zone_name}:{versions[0]}:{versions[1]}:{modality}:"
        f"{':'.join(f'{x:g}' for x in shape)}:{window_start.timestamp():.6f}:"
        f"{window_end.timestamp():.6f}"
    )


def answer_get(*key) -> Answer | None:
    """``key``: therapist id, zone name, versions, modality, request, window start and end."""
    entry = cache.get(_answer_key(*key))
    return entry if isinstance(entry, Answer) else None


def answer_set(*key, answer: Answer) -> None:
    cache.set(_answer_key(*key), answer, ANSWER_SECONDS)


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
