"""Wall times in templates, marked when they repeat ("01:30 EDT" / "01:30 EST").

``{{ local|wall }}`` writes a datetime the view already put in a zone, without
converting it again. ``{{ instant|wall_in:zone_name }}`` converts first.
``{{ instant|stamp }}`` writes a moment (cancelled, recorded, sent) in the
page's zone with the date and the zone's abbreviation, never bare. Not
``|localtime`` or ``|timezone`` before either: Django rebuilds their result
without ``fold``, so the second 01:30 would come back as the first.
"""

from django import template

from practice.display import stamp as stamp_text
from practice.display import wall_time, wall_time_named
from practice.timezones import get_zone

register = template.Library()


@register.filter(expects_localtime=False)
def wall(value, fmt=None):
    if not value:
        return ""
    return wall_time(value, fmt)


@register.filter(expects_localtime=False)
def wall_in(value, zone_name):
    if not value:
        return ""
    return wall_time(value.astimezone(get_zone(str(zone_name))))


@register.filter(expects_localtime=False)
def stamp(value, fmt="D j M Y"):
    """A moment in the page's zone, named: ``{{ appointment.cancelled_at|stamp }}``."""
    if not value:
        return ""
    return stamp_text(value, fmt)


@register.filter(expects_localtime=False)
def wall_named(value):
    """``wall`` with the zone's abbreviation always ("13:00 EST"), for a row beside other zones."""
    if not value:
        return ""
    return wall_time_named(value)
