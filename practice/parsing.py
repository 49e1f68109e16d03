"""Reading numbers people (and fuzzers) type into URLs and forms."""

import re
import uuid

_ID = re.compile(r"^[0-9]{1,18}$")


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
