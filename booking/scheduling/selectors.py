"""Reads for booking: the slot engine's inputs, and appointments by token."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AvailabilityVersion,
    EpochSeconds,
    ExtraHours,
    TimeOff,
    WorkingHours,
)
from booking.scheduling import slot_cache, slots
from booking.scheduling.slot_cache import Versions
from booking.tokens import manage_token_for, manage_token_parts
from practice import licensing
from practice.models import Modality, Practice, SessionType, Therapist
from practice.selectors import practices_current
from practice.sql import Columns, prepared_cursor
from practice.timezones import wall_to_utc_lenient


def blocking_at(now: datetime) -> Q:
    """Sessions that hold time at ``now``: requested or booked, or held and not yet expired."""
    return Q(status__in=ACTIVE_STATUSES) | Q(status=AppointmentStatus.HELD, hold_expires_at__gt=now)


READ_VERSIONS = object()  # slot_rules_get's default: read the versions (one query)


def availability_versions_get(*, practice_id: int, therapist_ids: list[int]) -> dict[int, Versions]:
    """Each therapist's (own, practice's) availability versions, in one query."""
    keys = [f"therapist:{pk}" for pk in therapist_ids] + [f"practice:{practice_id}"]
    found = dict(AvailabilityVersion.objects.filter(key__in=keys).values_list("key", "version"))
    practice_version = found.get(f"practice:{practice_id}")
    return {pk: (found.get(f"therapist:{pk}"), practice_version) for pk in therapist_ids}


def availability_version_subqueries(*, practice_id: int, therapist_id: int) -> dict:
    """Annotations that read the same two versions inside another query (no query of their own)."""

    def version(key: str) -> Subquery:
        return Subquery(AvailabilityVersion.objects.filter(key=key).values("version")[:1])

    return {
        "therapist_version": version(f"therapist:{therapist_id}"),
        "practice_version": version(f"practice:{practice_id}"),
    }


def slot_rules_get(
    *,
    therapist: Therapist,
    session_type: SessionType,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    exclude_appointment_id: int | None = None,
    versions=READ_VERSIONS,
    cached: bool = True,
) -> slots.Rules:
    """A therapist's rules and busy time around a UTC window.

    From the slots cache when its entry answers (``slot_cache``): one query for
    the versions, none when the caller read them (``versions``); else three
    reads, kept for the next question. ``cached=False`` always reads afresh.
    """
    return _slot_facts_and_rules(
        therapist=therapist,
        session_type=session_type,
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_appointment_id=exclude_appointment_id,
        versions=versions,
        cached=cached,
    )[1]


def _slot_facts_and_rules(
    *,
    therapist: Therapist,
    session_type: SessionType,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    exclude_appointment_id: int | None,
    versions,
    cached: bool,
) -> tuple[slot_cache.Facts, slots.Rules]:
    window_start, window_end = slots.clamp_window(window_start, window_end)
    zone = therapist.zone
    # Local dates that can touch the window, with a day's margin for zone offsets.
    first_day = window_start.astimezone(zone).date() - timedelta(days=1)
    last_day = window_end.astimezone(zone).date() + timedelta(days=1)
    if cached and versions is READ_VERSIONS:
        versions = availability_versions_get(
            practice_id=therapist.practice_id, therapist_ids=[therapist.pk]
        )[therapist.pk]
    facts = None
    if cached and slot_cache.usable(versions):
        facts = slot_cache.entry_get(therapist.pk, therapist.time_zone, versions)
        if facts is not None and not facts.answers(first_day, last_day, now):
            facts = None
        if facts is None:
            cover_first, cover_last = slot_cache.cover(
                first_day, last_day, now.astimezone(zone).date()
            )
            facts = slot_facts_read(
                therapist=therapist, first_day=cover_first, last_day=cover_last, now=now
            )
            slot_cache.entry_set(therapist.pk, therapist.time_zone, versions, facts)
    if facts is None:
        facts = slot_facts_read(
            therapist=therapist, first_day=first_day, last_day=last_day, now=now
        )
    rules = facts.rules(
        zone=zone,
        modality=session_type.modality,
        first_day=first_day,
        last_day=last_day,
        now=now,
        exclude_appointment_id=exclude_appointment_id,
    )
    return facts, rules


def slot_facts_read(
    *, therapist: Therapist, first_day: date, last_day: date, now: datetime
) -> slot_cache.Facts:
    """A therapist's availability facts over local dates [first_day, last_day], in three
    queries: weekly and extra hours (one union), time off, blocked spans."""
    zone = therapist.zone
    # .order_by(): the models' default orderings would join the therapist table.
    weekly = (
        WorkingHours.objects.filter(therapist=therapist)
        .order_by()
        .annotate(
            a=F("weekday"),
            b=F("start_time"),
            c=F("end_time"),
            d=F("modality"),
            e=Cast(Value(None), DateField()),
        )
        .values_list("a", "b", "c", "d", "e")
    )
    extra = (
        ExtraHours.objects.filter(therapist=therapist, date__range=(first_day, last_day))
        .order_by()
        .annotate(
            a=Value(-1, IntegerField()),
            b=F("start_time"),
            c=F("end_time"),
            d=Value("", CharField()),
            e=F("date"),
        )
        .values_list("a", "b", "c", "d", "e")
    )
    hours = list(weekly.union(extra, all=True))

    time_off = tuple(
        tuple(
            t.timestamp()
            for t in slots.time_off_span(zone, start, off.start_time, end, off.end_time)
        )
        for off, start, end in time_off_in_window(
            practice_id=therapist.practice_id,
            therapist_ids=[therapist.pk],
            first_day=first_day,
            last_day=last_day,
        )
    )

    # Buffers reach at most a few hours; a day's margin catches every neighbour.
    span_start = wall_to_utc_lenient(first_day, time(0), zone) - timedelta(days=1)
    span_end = wall_to_utc_lenient(last_day + timedelta(days=1), time(0), zone) + timedelta(days=1)
    busy = tuple(
        Appointment.objects.filter(
            blocking_at(now),
            therapist=therapist,
            blocked_start__lt=span_end,
            blocked_end__gt=span_start,
        )
        .order_by()
        .annotate(
            s=EpochSeconds("blocked_start"),
            e=EpochSeconds("blocked_end"),
            x=Case(
                When(status=AppointmentStatus.HELD, then=EpochSeconds("hold_expires_at")),
                default=Value(None, FloatField()),
            ),
        )
        .values_list("pk", "s", "e", "x")
    )
    return slot_cache.Facts(
        first_day=first_day,
        last_day=last_day,
        built_at=now.timestamp(),
        weekly=tuple((a, b, c, d) for a, b, c, d, e in hours if e is None),
        extra=tuple((e, b, c) for a, b, c, d, e in hours if e is not None),
        time_off=time_off,
        busy=busy,
    )


def time_off_applying(
    *, practice_id: int, therapist_ids: list[int], first_day: date, last_day: date
) -> QuerySet[TimeOff]:
    """The time off that can touch these therapists' local dates [first_day, last_day]:
    their own and the practice's holidays; yearly holidays whatever their stored year
    (``time_off_dates`` projects them). The one home of "which time off applies"."""
    return (
        TimeOff.objects.filter(practice_id=practice_id)
        .filter(Q(therapist_id__in=therapist_ids) | Q(therapist__isnull=True))
        .filter(Q(start_date__lte=last_day, end_date__gte=first_day) | Q(repeats_yearly=True))
        .order_by()
    )


def time_off_dates(off: TimeOff, first_day: date, last_day: date) -> list[tuple[date, date]]:
    """The (first, last) local dates a time-off row closes within the window: itself, or
    each year's occurrence of a yearly holiday."""
    if off.repeats_yearly:
        return slots.yearly_occurrences(off.start_date, off.end_date, first_day, last_day)
    return [(off.start_date, off.end_date)]


def time_off_in_window(
    *, practice_id: int, therapist_ids: list[int], first_day: date, last_day: date
) -> list[tuple[TimeOff, date, date]]:
    """Each time off that applies in the window with its dates (one row per yearly occurrence)."""
    rows = time_off_applying(
        practice_id=practice_id,
        therapist_ids=therapist_ids,
        first_day=first_day,
        last_day=last_day,
    )
    return [
        (off, start, end) for off in rows for start, end in time_off_dates(off, first_day, last_day)
    ]


def _offer_get(
    *,
    practice_id: int,
    therapist_id: int,
    session_type_id: int,
    related=("therapist", "sessiontype__practice"),
    **annotations,
):
    """The therapist-offers-session-type row, both active at this practice, or None."""
    if not (0 < therapist_id < 2**63 and 0 < session_type_id < 2**63):
        return None
    offers = (
        Therapist.session_types.through.objects.filter(
            therapist_id=therapist_id,
            sessiontype_id=session_type_id,
            therapist__practice_id=practice_id,
            therapist__is_active=True,
            sessiontype__practice_id=F("therapist__practice_id"),
            sessiontype__is_active=True,
        )
        .select_related(*related)
        .annotate(**annotations)
        .order_by()  # the pair is unique: at most one row, no ORDER BY needed
    )
    return next(iter(offers[:1]), None)


def slot_question_get(
    *, practice_id: int, therapist_id: int, session_type_id: int
) -> tuple[Therapist, SessionType, Versions] | None:
    """The therapist and session type of a public slots question with their availability
    versions, in one query; None unless both are active at this practice and the
    therapist offers the session type."""
    offer = _offer_get(
        practice_id=practice_id,
        therapist_id=therapist_id,
        session_type_id=session_type_id,
        **availability_version_subqueries(practice_id=practice_id, therapist_id=therapist_id),
    )
    if offer is None:
        return None
    versions = (offer.therapist_version, offer.practice_version)
    return offer.therapist, offer.sessiontype, versions


class SlotQuestionRow(NamedTuple):
    practice_id: int
    practice_zone: str
    therapist_zone: str
    licence_jurisdictions: str
    compact_jurisdictions: str
    versions: Versions


def slot_question_row(*, therapist_id: int, session_type_id: int) -> SlotQuestionRow | None:
    """What a public slots question's answer depends on, in one hand-written query (the
    practice, its zone, the therapist's zone and licences, the availability versions:
    ``SlotQuestionRow``), or None unless the
    therapist and the session type are both active at the current practice
    (``practices_current``) and one offers the other (``slot_question_get``'s rule).

    Hand-written because this is the whole database cost of a repeated question
    (booking/api/slot_replies.py) and compiling the ORM's query took longer than
    running it.
    """
    if not (0 < therapist_id < 2**63 and 0 < session_type_id < 2**63):
        return None
    sql, here_params = _with_current_practice(_SLOT_QUESTION_SQL, settings.PRACTICE_SLUG)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [*here_params, therapist_id, session_type_id])
        row = cursor.fetchone()
    return None if row is None else SlotQuestionRow(*row[:5], versions=(row[5], row[6]))


# The pair a public question or booking names, both active at the current practice,
# one offering the other (``_offer_get``'s rule, for the hand-written reads below).
_OFFERED_PAIR = """
    FROM practice_therapist_session_types o
    JOIN practice_therapist t ON t.id = o.therapist_id AND t.is_active
    JOIN practice_sessiontype s ON s.id = o.sessiontype_id AND s.is_active
    JOIN practice_practice p ON p.id = t.practice_id AND p.id = s.practice_id
    WHERE p.id = ({here}) AND o.therapist_id = %s AND o.sessiontype_id = %s
"""

_SLOT_QUESTION_COLUMNS = """
    SELECT p.id, p.time_zone, t.time_zone, t.licence_jurisdictions, t.compact_jurisdictions,
           (SELECT version FROM booking_availability_version WHERE key = 'therapist:' || t.id),
           (SELECT version FROM booking_availability_version WHERE key = 'practice:' || p.id)
"""
_SLOT_QUESTION_SQL = _SLOT_QUESTION_COLUMNS + _OFFERED_PAIR


@lru_cache(maxsize=8)
def _with_current_practice(sql: str, practice_slug: str) -> tuple[str, tuple]:
    """``sql`` reading the current practice by ``practices_current`` itself (compiled
    once per process and PRACTICE_SLUG), and that part's parameters, which come first."""
    here = practices_current().values("pk")[:1]
    here_sql, here_params = here.query.sql_with_params()
    return sql.replace("{here}", here_sql), here_params


@lru_cache(maxsize=1)
def _booking_pair_sql() -> tuple[str, Columns, Columns, Columns]:
    rows = Columns(Therapist, "t"), Columns(SessionType, "s"), Columns(Practice, "p")
    return f"SELECT {', '.join(row.sql for row in rows)} {_OFFERED_PAIR}", *rows


def booking_pair_get(
    *, therapist_id: int, session_type_id: int
) -> tuple[Therapist, SessionType] | None:
    """The therapist and session type of a public booking with their practice, in one
    query; None unless both are active at the practice this deployment serves
    (``practices_current``, read inside the same query) and the therapist offers the
    session type (which the therapist then remembers: ``Therapist.offers`` asks no
    query for it).

    Hand-written and prepared (``practice.sql``): the ORM took longer to compile this
    query, three models' columns wide, than PostgreSQL took to run it.
    """
    if not (0 < therapist_id < 2**63 and 0 < session_type_id < 2**63):
        return None
    sql, therapists, session_types, practices = _booking_pair_sql()
    sql, here_params = _with_current_practice(sql, settings.PRACTICE_SLUG)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [*here_params, therapist_id, session_type_id])
        row = cursor.fetchone()
    if row is None:
        return None
    row, t, s = list(row), len(therapists.names), len(session_types.names)
    therapist = therapists.instance(row[:t])
    session_type = session_types.instance(row[t : t + s])
    # One practice row: the service and the answer read it (the contact's practice,
    # the change deadline).
    therapist.practice = session_type.practice = practices.instance(row[t + s :])
    therapist.__dict__.setdefault("_offers", {})[session_type.pk] = True
    return therapist, session_type


class InTheWay(NamedTuple):
    pk: int
    status: str
    hold_expires_at: datetime | None
    room_id: int | None
    start: datetime
    end: datetime


def appointments_in_the_way(appointment: Appointment) -> list[InTheWay]:
    """The live sessions and holds (expired holds included: the caller decides) that
    overlap ``appointment``: its therapist's blocked time (buffers included) or, if
    it has a room, the room's. Not ``appointment`` itself.

    Hand-written and prepared (``practice.sql``): every booking, hold and move asks
    it before writing, and a refused booking asks little else; the ORM took longer
    to compile it than the database took to answer.
    """
    sql, columns = _in_the_way_sql(
        with_room=appointment.room_id is not None, saved=appointment.pk is not None
    )
    field = Appointment._meta.get_field

    def value(name, raw):
        return field(name).get_db_prep_value(raw, connection, prepared=False)

    params = [
        *_IN_THE_WAY_STATUSES,
        value("therapist", appointment.therapist_id),
        value("blocked_start", appointment.blocked_end),
        value("blocked_end", appointment.blocked_start),
    ]
    if appointment.room_id is not None:
        params += [
            value("room", appointment.room_id),
            value("start", appointment.end),
            value("end", appointment.start),
        ]
    if appointment.pk is not None:
        params.append(value("id", appointment.pk))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return [InTheWay(*columns.convert(row)) for row in cursor.fetchall()]


_IN_THE_WAY_STATUSES = tuple(s.value for s in (*ACTIVE_STATUSES, AppointmentStatus.HELD))


@lru_cache(maxsize=4)
def _in_the_way_sql(*, with_room: bool, saved: bool) -> tuple[str, Columns]:
    columns = Columns(Appointment, "a", ("id", "status", "hold_expires_at", "room", "start", "end"))
    quote = connection.ops.quote_name
    statuses = ", ".join(["%s"] * len(_IN_THE_WAY_STATUSES))
    overlap = "(a.therapist_id = %s AND a.blocked_start < %s AND a.blocked_end > %s)"
    if with_room:
        overlap += f" OR (a.room_id = %s AND a.start < %s AND a.{quote('end')} > %s)"
    sql = (
        f"SELECT {columns.sql} FROM booking_appointment a "  # noqa: S608 (no input in it)
        f"WHERE a.status IN ({statuses}) AND ({overlap})"
    )
    if saved:
        sql += " AND a.id <> %s"
    return sql, columns


def slot_request_for(*, session_type: SessionType, now: datetime) -> slots.Request:
    return slots.Request(
        duration=session_type.duration,
        step=timedelta(minutes=session_type.slot_step_minutes),
        earliest=now + session_type.effective_min_notice,
        latest=now + session_type.effective_booking_horizon,
        buffer_before=session_type.buffer_before,
        buffer_after=session_type.buffer_after,
    )


def slot_list(
    *,
    therapist: Therapist,
    session_type: SessionType,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    exclude_appointment_id: int | None = None,
    versions=READ_VERSIONS,
    cached: bool = True,
    remember: bool = False,
) -> list[datetime]:
    """Free UTC start times for a therapist and session type in [window_start, window_end).

    ``versions``/``cached``: as for ``slot_rules_get``. ``remember``: for questions
    asked again and again (the public slots pages and API), the engine's answer
    itself is kept under the same versions (``slot_answer_get``), so a repeated
    question costs no engine run; notice and horizon are cut per question.
    """
    request = slot_request_for(session_type=session_type, now=now)
    if cached and versions is READ_VERSIONS:
        versions = availability_versions_get(
            practice_id=therapist.practice_id, therapist_ids=[therapist.pk]
        )[therapist.pk]
    if remember and cached and exclude_appointment_id is None and slot_cache.usable(versions):
        answer = slot_answer_get(
            therapist=therapist,
            session_type=session_type,
            window_start=window_start,
            window_end=window_end,
            now=now,
            versions=versions,
        )
        return slot_cache.answer_starts(answer, request)
    rules = slot_rules_get(
        therapist=therapist,
        session_type=session_type,
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_appointment_id=exclude_appointment_id,
        versions=versions,
        cached=cached,
    )
    return slots.free_slots(rules, request, window_start, window_end)


def slot_answer_get(
    *,
    therapist: Therapist,
    session_type: SessionType,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    versions: Versions,
) -> slot_cache.Answer:
    """The engine's whole answer over a window before notice and horizon cut it
    (``slot_cache.Answer``), remembered under the availability ``versions`` (when
    they are usable: otherwise read afresh and kept nowhere)."""
    request = slot_request_for(session_type=session_type, now=now)
    remember = slot_cache.usable(versions)
    window_start, window_end = slots.clamp_window(window_start, window_end)
    key = (
        therapist.pk,
        therapist.time_zone,
        versions,
        session_type.modality,
        request,
        window_start,
        window_end,
    )
    answer = slot_cache.answer_get(*key) if remember else None
    if answer is not None and answer.answers(now):
        return answer
    facts, rules = _slot_facts_and_rules(
        therapist=therapist,
        session_type=session_type,
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_appointment_id=None,
        versions=versions,
        cached=True,
    )
    answer = slot_cache.answer_build(facts, rules, request, window_start, window_end, now)
    if remember:
        slot_cache.answer_set(*key, answer=answer)
    return answer


# A manage link outlives its session (or the session's cancellation) by this
# long, as a receipt to look back at; then it answers like any unknown link.
LINK_AFTERLIFE = timedelta(days=30)


def manage_link_nonce(appointment: Appointment) -> str:
    """The nonce a valid manage link carries: the proven client's, else empty.

    A hold and an unproven contact's booking are reached with the link the
    booker got on screen (empty nonce); once the address is proven the client
    has a nonce, and that on-screen link stops working.
    """
    client = appointment.client
    return client.link_nonce if client is not None and client.is_verified else ""


def manage_token(appointment: Appointment) -> str:
    return manage_token_for(appointment.public_id, manage_link_nonce(appointment))


def appointment_get_by_token(token: str, *, now: datetime | None = None) -> Appointment | None:
    """The appointment a manage-link token grants, or None for any other string.

    None too for a link retired by a new nonce, and for one whose session
    ended (or was cancelled) more than LINK_AFTERLIFE ago.
    """
    parts = manage_token_parts(token)
    if parts is None:
        return None
    public_id, nonce = parts
    appointment = appointment_get_by_public_id(public_id)
    if appointment is None or not constant_time_compare(nonce, manage_link_nonce(appointment)):
        return None
    over = appointment.cancelled_at or appointment.end
    if over < (now or timezone.now()) - LINK_AFTERLIFE:
        return None
    return appointment


def appointment_confirmed_since_token(token: str) -> bool:
    """Whether ``token`` is the on-screen link of a booking whose email has since been
    confirmed (confirming gives the client a nonce, so that link stops working).

    Only for a genuine token (its signature checks) that carried no nonce; it
    answers nothing else about the booking.
    """
    parts = manage_token_parts(token)
    if parts is None or parts[1]:
        return False
    appointment = appointment_get_by_public_id(parts[0])
    return (
        appointment is not None
        and appointment.client is not None
        and appointment.client.is_verified
        and appointment.email_confirm_by is None
        and appointment.is_active
    )


def manage_link_shows_client(appointment: Appointment) -> bool:
    """Whether a manage page may show more than this one session (the client's feed).

    Only for a proven client: the page was reached with a link that only the
    address's owner received.
    """
    return appointment.client is not None and appointment.client.is_verified


def slot_is_free(
    *,
    therapist: Therapist,
    session_type: SessionType,
    start: datetime,
    now: datetime,
    exclude_appointment_id: int | None = None,
    cached: bool = True,
) -> bool:
    """Whether the engine offers exactly ``start``: hours, time off, notice, horizon, step, busy.

    ``cached``: as for ``slot_rules_get``."""
    return start in slot_list(
        therapist=therapist,
        session_type=session_type,
        window_start=start,
        window_end=start + timedelta(microseconds=1),
        now=now,
        exclude_appointment_id=exclude_appointment_id,
        cached=cached,
    )


def appointment_get_by_public_id(public_id) -> Appointment | None:
    return (
        Appointment.objects.select_related(
            "practice", "therapist", "session_type", "session_type__practice", "client", "room"
        )
        .filter(public_id=public_id)
        .first()
    )


SOURCE_REF_DAYS = 90
_KEPT = [
    AppointmentStatus.PENDING,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.ATTENDED,
    AppointmentStatus.NO_SHOW,
]
_CALLED_OFF = [AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED]


def source_ref_counts(*, practice, now: datetime, days: int = SOURCE_REF_DAYS) -> list[dict]:
    """Bookings made through each ``?ref=`` tag in the last ``days`` days, in one query:
    ``{"ref", "booked", "cancelled"}`` per tag, most bookings first.

    "Booked" is still on (pending or confirmed) or took place (attended, no-show);
    "cancelled" counts late cancellations too. Holds never finished are not bookings.
    Only tags and numbers: nothing about who booked.
    """
    rows = (
        Appointment.objects.filter(practice=practice, created_at__gte=now - timedelta(days=days))
        .exclude(source_ref="")
        .values("source_ref")
        .annotate(
            booked=Count("pk", filter=Q(status__in=_KEPT)),
            cancelled=Count("pk", filter=Q(status__in=_CALLED_OFF)),
        )
        .filter(Q(booked__gt=0) | Q(cancelled__gt=0))
        .order_by("-booked", "source_ref")
    )
    return [
        {"ref": row["source_ref"], "booked": row["booked"], "cancelled": row["cancelled"]}
        for row in rows
    ]


def slot_map_any(
    *,
    therapists,
    session_type: SessionType,
    window_start,
    window_end,
    now,
    exclude_appointment_id: int | None = None,
    remember: bool = False,
) -> dict[datetime, list[Therapist]]:
    """Free starts across several therapists: each start with who is free then.

    ``exclude_appointment_id``: a session counted as free (the browser's own hold).
    ``remember``: as for ``slot_list``.
    """
    free: dict[datetime, list[Therapist]] = {}
    therapists = list(therapists)
    versions = {}  # every therapist's versions in one query (a page shows one practice's)
    if therapists:
        versions = availability_versions_get(
            practice_id=therapists[0].practice_id,
            therapist_ids=[t.pk for t in therapists if t.practice_id == therapists[0].practice_id],
        )
    for therapist in therapists:
        for start in slot_list(
            versions=versions.get(therapist.pk, READ_VERSIONS),
            therapist=therapist,
            session_type=session_type,
            window_start=window_start,
            window_end=window_end,
            now=now,
            exclude_appointment_id=exclude_appointment_id,
            remember=remember,
        ):
            free.setdefault(start, []).append(therapist)
    return dict(sorted(free.items()))


FIND_AHEAD = timedelta(days=14)
# "Thursday afternoon": parts of the day on the page's clock, [from, until).
PARTS_OF_DAY = {
    "morning": (time(0), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), None),
}


def free_times_next(
    *,
    therapists,
    session_type: SessionType,
    now: datetime,
    limit: int,
    zone=None,
    from_day: date | None = None,
    weekday: int | None = None,
    part_of_day: str = "",
) -> list[tuple[datetime, list[Therapist]]]:
    """The staff pages' "next free times" finder: the first ``limit`` free starts across
    these therapists, each with who is free then.

    Searched over two weeks from ``from_day`` (a date read in ``zone``; by
    default now), keeping only starts on ``weekday`` (0 = Monday) and in
    ``part_of_day`` (``PARTS_OF_DAY``), both read in ``zone``, when given.
    """
    start = now
    if from_day is not None and zone is not None:
        start = max(now, wall_to_utc_lenient(from_day, time(0), zone))
    found = slot_map_any(
        therapists=list(therapists),
        session_type=session_type,
        window_start=start,
        window_end=start + FIND_AHEAD,
        now=now,
    )
    wanted = []
    for when, who in found.items():
        local = when.astimezone(zone) if zone is not None else when
        if weekday is not None and local.weekday() != weekday:
            continue
        if part_of_day in PARTS_OF_DAY:
            first, until = PARTS_OF_DAY[part_of_day]
            if local.time() < first or (until is not None and local.time() >= until):
                continue
        wanted.append((when, who))
    return wanted[:limit]


def session_type_most_booked(practice_id: int) -> SessionType | None:
    """The practice's active session type with the most sessions (ties: the first made)."""
    return (
        SessionType.objects.filter(practice_id=practice_id, is_active=True)
        .annotate(n=Count("appointments"))
        .order_by("-n", "pk")
        .first()
    )


def therapist_pick_fairly(*, candidates: list[Therapist], start: datetime) -> Therapist:
    """Of the therapists free at ``start``, the one with the fewest sessions that week."""
    week = (start - timedelta(days=3), start + timedelta(days=4))
    load = dict(
        Appointment.objects.filter(
            therapist__in=candidates, status__in=ACTIVE_STATUSES, start__range=week
        )
        .values_list("therapist")
        .annotate(n=Count("pk"))
        .values_list("therapist", "n")
    )
    return min(candidates, key=lambda t: (load.get(t.pk, 0), t.pk))


def therapist_free_at(
    *, therapists, session_type: SessionType, start: datetime, now: datetime
) -> Therapist | None:
    """ "Whoever is free": of ``therapists`` giving ``session_type``, one the slot engine
    offers at ``start`` (the fewest sessions that week), or None."""
    free = [
        t
        for t in therapists.filter(session_types=session_type)
        if slot_is_free(therapist=t, session_type=session_type, start=start, now=now)
    ]
    return therapist_pick_fairly(candidates=free, start=start) if free else None


def appointment_events(appointment: Appointment) -> QuerySet:
    """A session's action log, oldest first, with who did each thing."""
    return appointment.events.select_related("by").order_by("at", "pk")


def appointment_latest_event(appointment: Appointment):
    """The session's latest action-log line (the change an Undo would take back), or None."""
    return appointment.events.order_by("-at", "-pk").first()


def appointments_inside_time_off(off: TimeOff, *, now: datetime) -> list[Appointment]:
    """Sessions still to come (requested or booked) that ``off`` (saved or not) would cover.

    Each therapist's own zone reads the wall-clock entry, as the slot engine
    does (``slots.time_off_span``); a yearly holiday is projected onto each
    session's year (``time_off_dates``).
    """
    candidates = Appointment.objects.filter(
        practice_id=off.practice_id, status__in=ACTIVE_STATUSES, end__gt=now
    ).select_related("therapist", "client", "session_type")
    if off.therapist_id is not None:
        candidates = candidates.filter(therapist_id=off.therapist_id)
    if not off.repeats_yearly:
        # A day's margin either side covers every zone's reading of the dates.
        first = datetime.combine(off.start_date - timedelta(days=1), datetime.min.time(), UTC)
        last = datetime.combine(off.end_date + timedelta(days=2), datetime.min.time(), UTC)
        candidates = candidates.filter(start__lt=last, end__gt=first)
    return [
        appointment
        for appointment in candidates.order_by("start")
        if time_off_covers(off, appointment.therapist.zone, appointment.start, appointment.end)
    ]


def time_off_covers(off: TimeOff, zone, start: datetime, end: datetime) -> bool:
    """Whether ``off`` (saved or not), read in ``zone``, overlaps [start, end)."""
    day = start.astimezone(zone).date()
    for first_day, last_day in time_off_dates(
        off, day - timedelta(days=1), day + timedelta(days=1)
    ):
        off_start, off_end = slots.time_off_span(
            zone, first_day, off.start_time, last_day, off.end_time
        )
        if start < off_end and off_start < end:
            return True
    return False


MOVE_CHOICES = 16


def free_times_outside_time_off(
    off: TimeOff, appointment: Appointment, *, now: datetime
) -> list[datetime]:
    """Where a session under new (unsaved) time off could move: free times from its own day
    (never before now) to two weeks after it, outside that time off, never its own (at most
    ``MOVE_CHOICES``)."""
    session_type = appointment.session_type
    duration = timedelta(minutes=session_type.duration_minutes)
    zone = appointment.therapist.zone
    its_day = wall_to_utc_lenient(appointment.start.astimezone(zone).date(), time(0), zone)
    found = []
    for start in slot_list(
        therapist=appointment.therapist,
        session_type=session_type,
        window_start=max(now, its_day),
        window_end=appointment.start + timedelta(days=14),
        now=now,
        exclude_appointment_id=appointment.pk,
    ):
        if start != appointment.start and not time_off_covers(off, zone, start, start + duration):
            found.append(start)
            if len(found) == MOVE_CHOICES:
                break
    return found


NEAR_DAYS = 7  # "already has a session in the next N days" warns before booking another


def client_sessions_near(
    *, client, start: datetime, zone, now: datetime, days: int = NEAR_DAYS
) -> list[Appointment]:
    """The client's requested or booked sessions that make another at ``start`` worth a second
    look: on the same local day (read in ``zone``, the booked therapist's), or coming up within
    ``days`` of ``now``. Staff are warned, never refused (a couple's session and an individual
    one on one day is normal)."""
    day = start.astimezone(zone).date()
    day_start = wall_to_utc_lenient(day, time(0), zone)
    day_end = wall_to_utc_lenient(day + timedelta(days=1), time(0), zone)
    same_day = Q(start__lt=day_end, end__gt=day_start)
    coming_up = Q(start__gte=now, start__lt=now + timedelta(days=days))
    return list(
        Appointment.objects.filter(client=client, status__in=ACTIVE_STATUSES)
        .filter(same_day | coming_up)
        .select_related("therapist", "session_type")
        .order_by("start")
    )


def therapists_licensed_for(therapists, *, session_type, region: str) -> list:
    """Those who may see a client in ``region``: everyone for an in-person session; for a
    video session, those licensed there (practice/licensing.py, the one rule)."""
    if session_type.modality != Modality.TELEHEALTH:
        return list(therapists)
    return [t for t in therapists if licensing.licensed_in(t, region)]
