"""Input and output shapes for the public booking API."""

from datetime import datetime

import phonenumbers
from django.conf import settings
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from practice.timezones import get_zone, zone_read, zone_unknown_message


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO-8601 date-time that must carry its UTC offset: naive times are refused.

    DRF would read a naive time in the server's zone; for a booking that is
    a guess, and guesses about time are how clients arrive an hour early.
    """

    default_error_messages = {
        "naive": "Include the UTC offset, e.g. 2026-12-01T14:00:00-05:00.",
        "invalid_iso": "Use an ISO-8601 date and time, e.g. 2026-12-01T14:00:00-05:00.",
        "out_of_range": "That date is too far from today to book.",
    }
    # Far-off dates can only be typing mistakes, and near datetime's limits
    # adding a session's length would overflow.
    YEARS = range(2000, 2200)

    def to_internal_value(self, value) -> datetime:
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = parse_datetime(str(value))
            except ValueError:
                parsed = None
            if parsed is None:
                self.fail("invalid_iso")
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.fail("naive")
        if parsed.year not in self.YEARS:
            self.fail("out_of_range")
        return parsed


class TimeZoneField(serializers.CharField):
    """An IANA zone name, as practice/timezones.py reads one (``zone_read``)."""

    def to_internal_value(self, value) -> str:
        text = super().to_internal_value(value)
        if text == "" and self.allow_blank:
            return text
        name = zone_read(text)
        if name is None:
            raise serializers.ValidationError(
                f"{zone_unknown_message(text)} Use an IANA name such as America/New_York.",
                code="unknown",
            )
        return name


class PhoneField(serializers.CharField):
    default_error_messages = {
        "invalid_phone": "Enter a phone number we can call, with the country code if it is "
        "not a {region} number, e.g. +44 20 7946 0958.",
    }

    def to_internal_value(self, value) -> str:
        raw = super().to_internal_value(value)
        if not raw:
            return ""
        region = settings.PHONE_DEFAULT_REGION
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self.fail("invalid_phone", region=region)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def isoformat_in(instant: datetime, zone_name: str) -> str:
    return instant.astimezone(get_zone(zone_name)).isoformat()
