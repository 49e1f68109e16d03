"""A repeated slots question answered from its rendered reply (issue 21).

The public slots API (``GET /api/v1/slots/``) is asked the same question again and
again: pages left open, many visitors on one week. Answering in full takes the DRF
serializer, ORM queries that cost more to compile than to run, the engine, and
rendering every start in the asked zone. So a reply, rendered once, is kept under
everything it depends on, and a repeat costs one hand-written query
(``selectors.slot_question_row``: the question is still valid, and the versions) and
one cache read. The key holds:

- the question as read here (therapist, session type, dates, zone, region); any
  other spelling of it takes the full path, which also says what is wrong;
- ``slot_question_row``: the practice's zone (the default zone), the therapist's zone
  and licences, and the therapist's and practice's availability versions, which
  database triggers replace on every write to hours, time off, sessions, holds,
  session types and practice settings (``booking/migrations/0026``), so a write
  retires every reply it could change;
- the code: a fingerprint of the engine, the slots cache and this module.

Time is applied per request, as the engine applies it: notice and horizon cut the
reply's starts (each start's rendered text is kept beside it), and a reply answers
only from the moment it was built until the first hold that could touch its window
lapses (``slot_cache.Answer``).
"""

import hashlib
import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.core.cache import cache

from booking.api.serializers import isoformat_in
from booking.scheduling import slot_cache, slots
from booking.scheduling.selectors import SlotQuestionRow
from practice import licensing
from practice.timezones import zone_read

REPLY_SECONDS = slot_cache.ANSWER_SECONDS
_ID = re.compile(r"[1-9][0-9]{0,17}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A new engine or renderer (a deploy) never answers from an old one's replies.
FINGERPRINT = hashlib.sha256(
    slot_cache.ENGINE_FINGERPRINT.encode() + Path(__file__).read_bytes()
).hexdigest()[:16]


@dataclass(frozen=True)
class Question:
    therapist: int
    session_type: int
    start: date
    end: date
    tz: str  # as asked; "" for the practice's zone
    region: str


def question_read(params) -> Question | None:
    """The question in its plain spelling, or None (then the full path reads it)."""
    therapist, session_type = params.get("therapist", ""), params.get("session_type", "")
    start, end = params.get("start", ""), params.get("end", "")
    tz, region = params.get("tz", ""), params.get("client_region", "")
    if not (_ID.fullmatch(therapist) and _ID.fullmatch(session_type)):
        return None
    if not (_DATE.fullmatch(start) and _DATE.fullmatch(end)):
        return None
    if tz and zone_read(tz) != tz:  # spaced or unknown: the full path reads or refuses it
        return None
    if region and region not in licensing.REGIONS:
        return None
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None
    return Question(int(therapist), int(session_type), first, last, tz, region)


@dataclass(frozen=True)
class Reply:
    built_at: float
    valid_until: float
    notice: timedelta
    horizon: timedelta
    starts: tuple[float, ...]  # the engine's answer before notice and horizon
    fragments: tuple[str, ...]  # each start rendered as the full path renders it
    head: str  # the body up to the slots list


def reply_key(question: Question, row: SlotQuestionRow) -> str:
    digest = hashlib.sha256(repr((question, tuple(row))).encode()).hexdigest()
    return f"slots:reply:{FINGERPRINT}:{digest}"


def reply_cut(reply, now: datetime) -> bytes | None:
    """The body of ``reply`` (what was kept under a reply key, if anything) at ``now``,
    if it answers then."""
    if not isinstance(reply, Reply) or not reply.built_at <= now.timestamp() < reply.valid_until:
        return None
    # As slots.free_slots cuts: from now + notice, up to and including now + horizon.
    lo = bisect_left(reply.starts, (now + reply.notice).timestamp())
    hi = bisect_left(reply.starts, (now + reply.horizon).timestamp() + 1e-6, lo)
    return (reply.head + ",".join(reply.fragments[lo:hi]) + "]}").encode()


def slot_render(start: datetime, duration: timedelta, zone_name: str) -> dict:
    """One slot as the API gives it (the one home of its shape)."""
    return {
        "start": isoformat_in(start, zone_name),
        "end": isoformat_in(start + duration, zone_name),
    }


def reply_keep(
    key: str,
    *,
    answer: slot_cache.Answer,
    request: slots.Request,
    now: datetime,
    body_head: dict,
    duration: timedelta,
    zone_name: str,
) -> None:
    """Keep a reply built from the engine's whole ``answer`` (``body_head``: the body
    without its slots; empty slots when the therapist may not be offered at all)."""
    starts = answer.starts if body_head["licensed"] else ()
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    head = json.dumps({**body_head, "slots": []}, **compact)
    reply = Reply(
        built_at=answer.built_at,
        valid_until=answer.valid_until,
        notice=request.earliest - now,
        horizon=request.latest - now,
        starts=starts,
        fragments=tuple(
            json.dumps(slot_render(datetime.fromtimestamp(s, UTC), duration, zone_name), **compact)
            for s in starts
        ),
        head=head[: -len("]}")],  # up to and with the list's "["
    )
    cache.set(key, reply, REPLY_SECONDS)
