"""Wall times in templates, marked when they repeat ("01:30 EDT" / "01:30 EST").

``{{ local|wall }}`` writes a datetime the view already put in a zone, without
converting it again. ``{{ instant|wall_in:zone_name }}`` converts first. Not
``|localtime`` or ``|timezone`` before either: Django rebuilds their result
without ``fold``, so the second 01:30 would come back as the first.
"""

from django import template

from practice.display import wall_time
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
