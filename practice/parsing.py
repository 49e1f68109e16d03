"""Reading numbers and dates people (and fuzzers) type into URLs and forms."""

import re
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils import timezone

from practice.timezones import wall_to_utc

_ID = re.compile(r"^[0-9]{1,18}$")
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def int_or_none(value) -> int | None:
    """A database id from a string, or None. ASCII digits only: str.isdigit() also
    accepts "²" and other digits int() refuses."""
    text = str(value) if value is not None else ""
    return int(text) if _ID.match(text) else None


def uuid_or_none(value) -> uuid.UUID | None:
    """A public id from a URL, or None (so a lookup with it simply finds nothing)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Dates people type ------------------------------------------------------------------
#
# The one home for "a date a person typed": query strings, forms, the APIs and the
# admin all read dates through here, so one range holds everywhere. Far-off years can
# only be typing mistakes, and near datetime's limits (years 1 and 9999) adding a day,
# a week or a zone's offset overflows: the range keeps every caller's arithmetic safe.

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
OUT_OF_RANGE = (
    f"Give a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}, e.g. 2026-04-21."
)
NOT_A_DATE = "Give a date that exists, as YYYY-MM-DD, e.g. 2026-04-21."


class BadInput(BadRequest):
    """A value in a URL the page cannot use: a 400 whose message the visitor may read."""


def validate_supported_date(value: date) -> None:
    """The supported range, as a validator (models, forms, serializers)."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


def validate_birth_date(value: date) -> None:
    """A date of birth: from 1900 to today (in the practice's sense of today, roughly)."""
    if not FIRST_DAY <= value <= timezone.localdate():
        raise ValidationError(
            f"Give a date of birth between {FIRST_DAY.isoformat()} and today.",
            code="birth_date_out_of_range",
        )


def date_from_text(value: str) -> date:
    """A YYYY-MM-DD date in the supported range, or ValidationError with a readable message."""
    text = str(value).strip()
    if not _ISO_DAY.match(text):
        raise ValidationError(NOT_A_DATE, code="invalid_date")
    try:
        day = date.fromisoformat(text)
    except ValueError:  # 2024-02-30
        raise ValidationError(NOT_A_DATE, code="invalid_date") from None
    validate_supported_date(day)
    return day


def date_or_none(value) -> date | None:
    """A date from a form value, or None (for forms that say "give a date" themselves)."""
    try:
        return date_from_text(value or "")
    except ValidationError:
        return None


def date_param(params, name: str, default: date | None = None) -> date | None:
    """A date from a query string: ``default`` when absent or empty, BadInput (400) when bad."""
    value = params.get(name) or ""
    if not value:
        return default
    try:
        return date_from_text(value)
    except ValidationError as exc:
        raise BadInput(f"The {name} date: {exc.messages[0]}") from None


def aware_datetime_or_none(value) -> datetime | None:
    """An ISO 8601 date and time with its UTC offset, within the supported range; else None."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    if not FIRST_DAY <= parsed.date() <= LAST_DAY:
        return None
    return parsed


# --- A start typed as a date and a wall-clock time ---------------------------------------
#
# The one home for reading it (staff move, book on behalf, a series' moved date): to
# the minute, in the zone of the therapist whose calendar it is, refused when the
# clocks skip it.

SKIPPED_TIME = "That time does not exist that day (the clocks go forward). Pick another."


def wall_time_or_none(value) -> time | None:
    """A time of day typed as HH:MM (or HH:MM:SS), or None."""
    try:
        return time.fromisoformat(str(value or ""))
    except ValueError:
        return None


def wall_start(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a start typed as ``day`` and ``at`` on ``zone``'s wall clock;
    seconds are dropped, and a time in a spring-forward gap is None (``SKIPPED_TIME``)."""
    return wall_to_utc(day, time(at.hour, at.minute), zone)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateField(forms.DateField):
    """A form's date field with the supported range (the date input's min and max too)."""

    default_validators = [validate_supported_date]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        return {**attrs, "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
