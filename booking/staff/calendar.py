"""Reads for the staff calendars: a therapist's week, the front desk's day, a month overview.

Everything is laid out in wall-clock time on a grid of 15-minute rows, so the
templates only place blocks (CSS classes, no inline styles: the CSP forbids
them). Query counts are fixed whatever the number of sessions (see the tests).
"""

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    ExtraHours,
    WorkingHours,
)
from booking.scheduling.selectors import time_off_in_window
from booking.scheduling.slots import time_off_span
from practice.display import is_ambiguous, own_time, wall_time
from practice.timezones import wall_to_utc, wall_to_utc_lenient

ROW_MINUTES = 15
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 18
SHOWN_STATUSES = (
    *ACTIVE_STATUSES,
    AppointmentStatus.ATTENDED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.LATE_CANCELLED,
)


@dataclass
class Block:
    kind: str  # "hours", "off", "session"
    start: datetime  # local, aware
    end: datetime
    column: int = 1
    row: int = 1
    span: int = 1
    appointment: Appointment | None = None
    label: str = ""
    detail: str = ""
    own: str = ""  # the therapist's own time and zone, where it reads differently
    span_text: str = ""  # time off: its whole span as read ("all day (Los Angeles)")

    @property
    def all_day(self) -> bool:
        """From one local midnight to another: read as "all day", not "00:00–00:00"."""
        return (
            self.kind == "off"
            and self.start.time() == time(0)
            and self.end.time() == time(0)
            and self.end.date() > self.start.date()
        )


@dataclass
class Column:
    key: object
    title: str
    day: date
    is_today: bool = False
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class HourRow:
    """One hour of the grid's rows: the repeated autumn hour has two ("01:00 EDT", "01:00 EST")."""

    hour: int
    fold: int
    label: str


def hour_rows(days: list[date], zone, first_hour: int = 0, last_hour: int = 24) -> list[HourRow]:
    """The grid's hours for ``days`` in ``zone``, in the order a clock reads them.

    An hour the spring change skips on every day shown is not a row; an hour
    that repeats on any day shown is two rows, each labelled with its
    abbreviation, so sessions at 01:30 EDT and 01:30 EST are drawn apart.
    """
    rows = []
    for hour in range(first_hour, last_hour):
        if all(
            wall_to_utc(day, time(hour), zone) is None
            and wall_to_utc(day, time(hour, 45), zone) is None
            for day in days
        ):
            continue
        repeated = [day for day in days if is_ambiguous(datetime.combine(day, time(hour), zone))]
        if not repeated:
            rows.append(HourRow(hour, 0, f"{hour:02d}:00"))
            continue
        for fold in (0, 1):
            local = datetime.combine(repeated[0], time(hour), zone).replace(fold=fold)
            rows.append(HourRow(hour, fold, f"{hour:02d}:00 {local.tzname()}"))
    return rows


@dataclass
class Grid:
    columns: list[Column]
    first_hour: int
    last_hour: int
    zone_name: str
    days: list[date] = field(default_factory=list)
    # The current-time line: its row, and its column (None: across every column, one day shown).
    now_row: int | None = None
    now_column: int | None = None

    @property
    def hour_rows(self) -> list[HourRow]:
        return hour_rows(self.days, ZoneInfo(self.zone_name), self.first_hour, self.last_hour)

    @property
    def rows(self) -> int:
        return len(self.hour_rows) * 60 // ROW_MINUTES

    @property
    def hours(self) -> list[dict]:
        return [
            {"label": row.label, "row": 2 + i * 60 // ROW_MINUTES}
            for i, row in enumerate(self.hour_rows)
        ]


def now_line(rows: list[HourRow], days: list[date], zone) -> tuple[int | None, int | None]:
    """Where the current-time line goes: the row of the quarter hour ``now`` falls in, on
    today's column (None when today is not shown, or now is outside the hours drawn)."""
    local = timezone.now().astimezone(zone)
    if local.date() not in days:
        return None, None
    minutes = _minutes_down(rows, local, local.date())
    if not 0 <= minutes < len(rows) * 60:
        return None, None
    column = days.index(local.date()) + 2 if len(days) > 1 else None
    return 2 + minutes // ROW_MINUTES, column


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _minutes_down(rows: list[HourRow], local: datetime, day: date) -> int:
    """How far down the grid (in minutes of rows) the wall time ``local`` of ``day`` sits.

    The repeated hour's second occurrence (``fold=1``) has rows of its own;
    before the grid it is negative, after it (or on a later day) past the end.
    """
    if local.date() > day:
        return len(rows) * 60 + 24 * 60
    fold = local.fold if is_ambiguous(local) else 0
    for i, row in enumerate(rows):
        if (row.hour, row.fold) == (local.hour, fold):
            return i * 60 + local.minute
    if not rows or local.hour < rows[0].hour:
        return -24 * 60
    return len(rows) * 60 + 24 * 60


def _place(rows: list[HourRow], block: Block, day: date):
    """Grid rows for a block, clipped to its day and the grid (a row per 15 minutes; row 1
    is the header).

    A block runs from the row of its wall-clock start to the row of its wall-clock
    end: the repeated autumn hour has rows of its own, so a session in it is drawn
    where its labelled hour is, and, the skipped spring hour having none, one
    after the spring jump is not an hour taller than it lasts.
    """
    total = len(rows) * 60
    start_minutes = max(0, _minutes_down(rows, block.start, day))
    end_minutes = min(total, _minutes_down(rows, block.end, day))
    if end_minutes <= start_minutes:
        return None
    block.row = 2 + start_minutes // ROW_MINUTES
    block.span = max(1, -(-(end_minutes - start_minutes) // ROW_MINUTES))
    return block


def _hour_range(parts: list[Block]) -> tuple[int, int]:
    """The hours a grid shows: 08:00-18:00, stretched to every block drawn on it.

    ``parts`` are blocks already cut at each day's midnight, so hours running
    past midnight stretch the grid to 24:00 and, the next day, from 00:00.
    """
    first, last = DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR
    for block in parts:
        if block.kind == "off" and (block.end - block.start) >= timedelta(hours=20):
            continue  # whole days off do not stretch the view
        first = min(first, block.start.hour)
        end_hour = block.end.hour + (1 if block.end.minute else 0)
        if block.end.date() > block.start.date():
            end_hour = 24
        last = max(last, end_hour)
    return first, min(24, last)


def _local_span(zone, start_date, start_time, end_date, end_time):
    # The slot engine's rule (and its clamp of far-off dates), shown in local time.
    start, end = time_off_span(zone, start_date, start_time, end_date, end_time)
    return start.astimezone(zone), end.astimezone(zone)


def off_span_text(start: datetime, end: datetime, *, own_zone, shown_zone) -> str:
    """How a stretch of time off reads on a page in ``shown_zone``, whole (before it is
    cut at the page's midnights).

    Whole days in the owner's own zone read "all day", naming that zone's place
    when the page reads in another ("all day (Los Angeles)"); anything else is
    its true span, with the end's day when it ends on another ("03:00 – 03:00 Thu").
    """
    own_start, own_end = start.astimezone(own_zone), end.astimezone(own_zone)
    if own_start.time() == own_end.time() == time(0) and own_end.date() > own_start.date():
        if own_zone.key == shown_zone.key:
            return "all day"
        place = own_zone.key.rsplit("/", 1)[-1].replace("_", " ")
        return f"all day ({place})"
    shown_start, shown_end = start.astimezone(shown_zone), end.astimezone(shown_zone)
    text = f"{wall_time(shown_start)} – {wall_time(shown_end)}"
    if shown_end.date() != shown_start.date():
        text += f" {shown_end:%a}"
        if (shown_end.date() - shown_start.date()).days > 6:
            text += f" {shown_end.day} {shown_end:%b}"
    return text


def _end_day(day: date, start_t: time, end_t: time) -> date:
    # Hours ending at or before they start run past midnight (slots._stretches_on).
    return day + timedelta(days=1) if end_t <= start_t else day


def session_label(appointment: Appointment, *, show_client: bool) -> str:
    if not show_client:
        return "Busy"
    client = appointment.client
    first = client.preferred_name or client.first_name
    return f"{first} {client.last_name}".strip()


def _split_by_day(block: Block, days: list[date]) -> list[tuple[date, Block]]:
    """A block that crosses midnight appears on each day it touches."""
    parts = []
    for day in days:
        zone = block.start.tzinfo
        day_start = datetime.combine(day, time(0), tzinfo=zone)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        if block.start < day_end and block.end > day_start:
            part = Block(**{**block.__dict__})
            part.start, part.end = max(block.start, day_start), min(block.end, day_end)
            parts.append((day, part))
    return parts


def therapist_week(*, therapist, first_day: date, days: int, today: date) -> Grid:
    """A therapist's days in their own zone: working hours, time off, sessions.

    Four queries: weekly hours, extra hours, time off, sessions (with client and
    session type), however full the week.
    """
    zone = therapist.zone
    day_list = [first_day + timedelta(days=i) for i in range(days)]
    last_day = day_list[-1]
    raw: list[Block] = []

    hours = WorkingHours.objects.filter(therapist=therapist).order_by()
    weekly = {}
    for row in hours.values_list("weekday", "start_time", "end_time"):
        weekly.setdefault(row[0], []).append(row[1:])
    # From the day before: its hours may run past midnight into the first day shown.
    eve = first_day - timedelta(days=1)
    extra = ExtraHours.objects.filter(therapist=therapist, date__range=(eve, last_day))
    extras = {}
    for row in extra.order_by().values_list("date", "start_time", "end_time"):
        extras.setdefault(row[0], []).append(row[1:])
    for day in [eve, *day_list]:
        for start_t, end_t in [*weekly.get(day.weekday(), []), *extras.get(day, [])]:
            start, end = _local_span(zone, day, start_t, _end_day(day, start_t, end_t), end_t)
            raw.append(Block("hours", start, end, label="Open"))

    for off, start_date, end_date in time_off_in_window(
        practice_id=therapist.practice_id,
        therapist_ids=[therapist.pk],
        first_day=first_day,
        last_day=last_day,
    ):
        start, end = _local_span(zone, start_date, off.start_time, end_date, off.end_time)
        label = off.reason or ("Practice closed" if off.therapist_id is None else "Time off")
        span = off_span_text(start, end, own_zone=zone, shown_zone=zone)
        raw.append(Block("off", start, end, label=label, span_text=span))

    window_start = wall_to_utc_lenient(first_day, time(0), zone)
    window_end = wall_to_utc_lenient(last_day + timedelta(days=1), time(0), zone)
    sessions = (
        Appointment.objects.filter(
            therapist=therapist,
            status__in=SHOWN_STATUSES,
            start__lt=window_end,
            end__gt=window_start,
        )
        .select_related("client", "session_type")
        .order_by("start")
    )
    for appointment in sessions:
        raw.append(
            Block(
                "session",
                appointment.start.astimezone(zone),
                appointment.end.astimezone(zone),
                appointment=appointment,
                label=session_label(appointment, show_client=True),
                detail=appointment.session_type.name,
            )
        )

    columns = [
        Column(key=day, title=f"{day:%a %-d %b}", day=day, is_today=day == today)
        for day in day_list
    ]
    index = {day: i for i, day in enumerate(day_list)}
    parts = [(day, part) for block in raw for day, part in _split_by_day(block, day_list)]
    first_hour, last_hour = _hour_range([part for _, part in parts])
    rows = hour_rows(day_list, zone, first_hour, last_hour)
    for day, part in parts:
        placed = _place(rows, part, day)
        if placed is not None:
            placed.column = index[day] + 2
            columns[index[day]].blocks.append(placed)
    for column in columns:
        order = {"hours": 0, "off": 1, "session": 2}
        column.blocks.sort(key=lambda b: (order[b.kind], b.start))
    now_row, now_column = now_line(rows, day_list, zone)
    return Grid(
        columns=columns,
        first_hour=first_hour,
        last_hour=last_hour,
        zone_name=str(zone),
        days=day_list,
        now_row=now_row,
        now_column=now_column,
    )


def front_desk_day(
    *, practice, day: date, therapists, zone, today: date, show_client, by_room: bool, rooms=()
) -> Grid:
    """Every therapist (or room) side by side for one day, in the practice's zone.

    Four queries: weekly hours, extra hours and time off for all of them, and
    the day's sessions.
    """
    therapists = list(therapists)
    ids = [t.pk for t in therapists]
    raw: list[tuple[object, Block]] = []
    window_start = wall_to_utc_lenient(day, time(0), zone)
    window_end = wall_to_utc_lenient(day + timedelta(days=1), time(0), zone)
    if not by_room:
        weekly = {}
        for t_id, weekday, start_t, end_t in (
            WorkingHours.objects.filter(therapist_id__in=ids)
            .order_by()
            .values_list("therapist_id", "weekday", "start_time", "end_time")
        ):
            weekly.setdefault((t_id, weekday), []).append((start_t, end_t))
        for t_id, on, start_t, end_t in (
            ExtraHours.objects.filter(
                therapist_id__in=ids, date__range=(day - timedelta(1), day + timedelta(1))
            )
            .order_by()
            .values_list("therapist_id", "date", "start_time", "end_time")
        ):
            weekly.setdefault((t_id, on), []).append((start_t, end_t))
        by_id = {t.pk: t for t in therapists}
        for therapist in therapists:
            tz = therapist.zone
            # The therapist's own days that touch this practice day.
            for local_day in {window_start.astimezone(tz).date(), window_end.astimezone(tz).date()}:
                for start_t, end_t in [
                    *weekly.get((therapist.pk, local_day.weekday()), []),
                    *weekly.get((therapist.pk, local_day), []),
                ]:
                    end_day = _end_day(local_day, start_t, end_t)
                    start, end = _local_span(tz, local_day, start_t, end_day, end_t)
                    raw.append(
                        (
                            therapist.pk,
                            Block(
                                "hours", start.astimezone(zone), end.astimezone(zone), label="Open"
                            ),
                        )
                    )
        for off, start_date, end_date in time_off_in_window(
            practice_id=practice.pk,
            therapist_ids=ids,
            first_day=day - timedelta(1),
            last_day=day + timedelta(1),
        ):
            owners = [off.therapist_id] if off.therapist_id else ids
            for t_id in owners:
                tz = by_id[t_id].zone
                start, end = _local_span(tz, start_date, off.start_time, end_date, off.end_time)
                label = off.reason or (
                    "Practice closed" if off.therapist_id is None else "Time off"
                )
                span = off_span_text(start, end, own_zone=tz, shown_zone=zone)
                block = Block(
                    "off",
                    start.astimezone(zone),
                    end.astimezone(zone),
                    label=label,
                    span_text=span,
                )
                raw.append((t_id, block))
    sessions = (
        Appointment.objects.filter(
            practice=practice,
            status__in=SHOWN_STATUSES,
            start__lt=window_end,
            end__gt=window_start,
        )
        .select_related("client", "session_type", "therapist", "room")
        .order_by("start")
    )
    if by_room:
        sessions = sessions.filter(room__isnull=False)
    else:
        sessions = sessions.filter(therapist_id__in=ids)
    for appointment in sessions:
        key = appointment.room_id if by_room else appointment.therapist_id
        raw.append(
            (
                key,
                Block(
                    "session",
                    appointment.start.astimezone(zone),
                    appointment.end.astimezone(zone),
                    appointment=appointment,
                    label=session_label(appointment, show_client=show_client(appointment)),
                    detail=appointment.session_type.name
                    + (f" · {appointment.therapist.display_name}" if by_room else ""),
                    own=own_time(
                        appointment.start, shown_zone=zone, own_zone=appointment.therapist.zone
                    ),
                ),
            )
        )
    if by_room:
        columns = [Column(key=r.pk, title=r.name, day=day, is_today=day == today) for r in rooms]
    else:
        columns = [
            Column(key=t.pk, title=t.display_name, day=day, is_today=day == today)
            for t in therapists
        ]
    index = {c.key: i for i, c in enumerate(columns)}
    parts = [
        (key, part) for key, block in raw if key in index for _, part in _split_by_day(block, [day])
    ]
    first_hour, last_hour = _hour_range([part for _, part in parts])
    rows = hour_rows([day], zone, first_hour, last_hour)
    for key, part in parts:
        placed = _place(rows, part, day)
        if placed is not None:
            placed.column = index[key] + 2
            columns[index[key]].blocks.append(placed)
    for column in columns:
        order = {"hours": 0, "off": 1, "session": 2}
        column.blocks.sort(key=lambda b: (order[b.kind], b.start))
    now_row, _ = now_line(rows, [day], zone)
    return Grid(
        columns=columns,
        first_hour=first_hour,
        last_hour=last_hour,
        zone_name=str(zone),
        days=[day],
        now_row=now_row,
    )


def month_overview(*, therapist, month_day: date, today: date) -> list[list[dict]]:
    """A small month calendar: each day shown (the neighbouring months' too) with its
    number of sessions, as on the calendar (one query)."""
    zone = therapist.zone if therapist is not None else None
    first = month_day.replace(day=1)
    shown = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    counts: dict[date, int] = {}
    if therapist is not None:
        starts = Appointment.objects.filter(
            therapist=therapist,
            status__in=SHOWN_STATUSES,
            start__gte=wall_to_utc_lenient(shown[0][0], time(0), zone),
            start__lt=wall_to_utc_lenient(shown[-1][-1] + timedelta(days=1), time(0), zone),
        ).values_list("start", flat=True)
        for start in starts:
            local = start.astimezone(zone).date()
            counts[local] = counts.get(local, 0) + 1
    weeks = []
    for week in shown:
        weeks.append(
            [
                {
                    "day": day,
                    "in_month": day.month == first.month,
                    "count": counts.get(day, 0),
                    "is_today": day == today,
                }
                for day in week
            ]
        )
    return weeks


def front_desk_week(*, practice, first_day: date, therapists, zone, today: date, show_client):
    """Every therapist's week as a board: a row per therapist, a column per day (two queries).

    Times in the practice's zone; time off is listed by day as well.
    """
    therapists = list(therapists)
    days = [first_day + timedelta(days=i) for i in range(7)]
    start = wall_to_utc_lenient(first_day, time(0), zone)
    end = wall_to_utc_lenient(first_day + timedelta(days=7), time(0), zone)
    cells = {(t.pk, d): [] for t in therapists for d in days}
    sessions = (
        Appointment.objects.filter(
            practice=practice,
            therapist__in=therapists,
            status__in=SHOWN_STATUSES,
            start__gte=start,
            start__lt=end,
        )
        .select_related("client", "session_type", "therapist")
        .order_by("start")
    )
    for appointment in sessions:
        local = appointment.start.astimezone(zone)
        cells[(appointment.therapist_id, local.date())].append(
            {
                "appointment": appointment,
                "local": local,
                "own": own_time(
                    appointment.start, shown_zone=zone, own_zone=appointment.therapist.zone
                ),
                "label": session_label(appointment, show_client=show_client(appointment)),
            }
        )
    off_days: dict[tuple, str] = {}  # (therapist, day) -> "off" (the whole day) or "partial"
    by_id = {t.pk: t for t in therapists}
    last_day = first_day + timedelta(days=6)
    for off, start_date, end_date in time_off_in_window(
        practice_id=practice.pk, therapist_ids=list(by_id), first_day=first_day, last_day=last_day
    ):
        owners = [off.therapist_id] if off.therapist_id else list(by_id)
        # Only the week's days: time off may run for years.
        day = max(start_date, first_day)
        while day <= min(end_date, last_day):
            whole = not (
                (day == start_date and off.start_time) or (day == end_date and off.end_time)
            )
            for owner in owners:
                if whole or off_days.get((owner, day)) != "off":
                    off_days[(owner, day)] = "off" if whole else "partial"
            day += timedelta(days=1)
    return {
        "days": [{"day": d, "is_today": d == today} for d in days],
        "rows": [
            {
                "therapist": t,
                "cells": [
                    {"day": d, "sessions": cells[(t.pk, d)], "off": off_days.get((t.pk, d), "")}
                    for d in days
                ],
            }
            for t in therapists
        ],
    }
