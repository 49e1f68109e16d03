"""What counts as an origin a practice may list for framing its booking pages."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


def validate_origin(value: str) -> str:
    """``https://www.example.org`` (scheme, host, optional port; nothing else), normalised."""
    text = value.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or "*" in text
    ):
        raise ValidationError(
            "%(value)s is not an origin: write it like https://www.example.org "
            "(no path, no wildcard).",
            params={"value": value[:100]},
        )
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")


def validate_origin_lines(value: str) -> None:
    for line in value.splitlines():
        if line.strip():
            validate_origin(line)
