from django import template

from practice.places import VIDEO, session_place

register = template.Library()


@register.inclusion_tag("booking/_place.html")
def place_of(session_type, practice):
    """The session's place: the address and a map link, or "by video" (practice.places)."""
    return {
        "place": session_place(session_type=session_type, practice=practice),
        "video": VIDEO,
        "practice_name": practice.name,
    }
