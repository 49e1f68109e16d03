"""Phone numbers people can tap (the practice's number and the crisis lines in its
text), and which numbers can take a text message.

Pure (no ORM). A full number's link is its E.164 form (``tel:+12125550100``);
a short number valid in the practice's region (988, 911, 116 123) has no
E.164 form, so its link is its digits (``tel:988``). The crisis resources stay
the practice's own free text (they read as sentences, and each practice words
them for its country): the numbers in it are found and linked, the rest is
escaped as it is.
"""

import functools
import re

import phonenumbers
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from phonenumbers import shortnumberinfo

# Number types that can receive a text (in North America one cannot tell landlines apart).
TEXTABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def can_take_texts(number: str, region: str | None = None) -> bool:
    """Could this number receive a text? False for landlines and numbers we cannot read."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) in TEXTABLE


# A short number: 3 to 6 digits, maybe in two groups ("116 123"), not part of a
# longer run of digits, a time ("10:00") or a decimal.
_SHORT = re.compile(r"(?<![\d:.,+/-])\d{3}(?: ?\d{3})?(?![\d:]|[.,/-]\d)")


@functools.lru_cache(maxsize=1024)
def tel_href(number: str, region: str) -> str:
    """``tel:`` and the number's E.164 form (or a short number's digits); "" if it is none.

    Remembered: every email a practice sends links its one number, twice.
    """
    try:
        parsed = phonenumbers.parse(number or "", region)
    except phonenumbers.NumberParseException:
        return ""
    if phonenumbers.is_possible_number(parsed) and len(str(parsed.national_number)) > 6:
        return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", number)
    if digits and shortnumberinfo.is_valid_short_number_for_region(parsed, region):
        return "tel:" + digits
    return ""


def tel_link(number: str, region: str) -> SafeString:
    """The number as written, as a link to call it (just the text if it is not a number)."""
    href = tel_href(number, region)
    return format_html('<a href="{}">{}</a>', href, number) if href else escape(number)


def phone_link(number: str, region: str) -> SafeString:
    """A client's number as people in ``region`` write it ("(617) 555-0199"; another
    country's in its international form), as a link to call it."""
    try:
        parsed = phonenumbers.parse(number or "", region)
    except phonenumbers.NumberParseException:
        return escape(number or "")
    if not phonenumbers.is_possible_number(parsed):
        return escape(number)
    home = phonenumbers.region_code_for_number(parsed) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else (phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    href = "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return format_html('<a href="{}">{}</a>', href, phonenumbers.format_number(parsed, style))


def _numbers_in(text: str, region: str) -> list[tuple[int, int, str]]:
    """(start, end, href) of each number in ``text``: full numbers, then short ones between."""
    found = [
        (match.start, match.end, tel_href(match.raw_string, region))
        for match in phonenumbers.PhoneNumberMatcher(text, region)
    ]
    for match in _SHORT.finditer(text):
        overlaps = any(s < match.end() and match.start() < e for s, e, _ in found)
        href = "" if overlaps else tel_href(match.group(), region)
        if href:
            found.append((match.start(), match.end(), href))
    return sorted(found)


def link_numbers(text: str, region: str) -> SafeString:
    """``text`` escaped, with each phone number in it a ``tel:`` link."""
    parts, at = [], 0
    for start, end, href in _numbers_in(text or "", region):
        parts.append(escape(text[at:start]))
        parts.append(format_html('<a href="{}">{}</a>', href, text[start:end]))
        at = end
    parts.append(escape((text or "")[at:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece above is escaped)
