"""Booking-link slugs of therapists and session types: made from names, unique per practice.

A slug appears in links a practice pastes into its website (/book/<therapist>/,
/book/type/<session-type>/), so a renamed slug is remembered (``FormerSlug``)
and its old links redirect.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify

SLUG_MAX = 60
# The first path segment under /book/ that a therapist slug may not take.
RESERVED = frozenset(
    {"times", "hold", "details", "manage", "confirm", "type", "embed", "embed.js", "zones"}
)


def validate_booking_slug(value: str) -> None:
    if value in RESERVED:
        raise ValidationError(
            f"“{value}” is part of the booking pages' own addresses; choose another."
        )


def slug_fill(obj, name: str) -> None:
    """Give ``obj`` (a Therapist or SessionType) a slug from ``name`` if it has none.

    Unique within the practice: "alex-morgan", then "alex-morgan-2" …
    """
    if obj.slug:
        return
    base = (slugify(name) or "booking")[: SLUG_MAX - 4].strip("-") or "booking"
    if base in RESERVED:
        base = f"{base}-1"
    taken = set(
        type(obj)
        .objects.filter(practice_id=obj.practice_id, slug__startswith=base)
        .exclude(pk=obj.pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    obj.slug = slug
