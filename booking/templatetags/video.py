"""The therapist's Join on staff pages (the session, the day view, Today): booking/video.py."""

from django import template
from django.utils import timezone

from booking import video

register = template.Library()


@register.inclusion_tag("staff/_join.html")
def video_join(appointment, *, opens_at=False):
    """Join while the room is open; with ``opens_at``, before then, when it opens."""
    now = timezone.now()
    if not video.is_video(appointment) or now >= appointment.end:
        return {}
    url = video.join_url(appointment, host=True, now=now)
    if url:
        return {"url": url}
    if opens_at and video.video_link(appointment, host=True):
        return {"opens": video.join_opens_at(appointment)}
    return {}


@register.filter
def video_open(appointment) -> bool:
    """Whether a Join goes beside this session now (the calendar's block becomes a box)."""
    return video.join_open(appointment)
