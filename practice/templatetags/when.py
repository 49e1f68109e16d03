"""``{{ local|wall }}``: a local time as the view put it (no conversion), marked when it repeats."""

from django import template

from practice.display import wall_time

register = template.Library()


@register.filter(expects_localtime=False)
def wall(value, fmt="H:i"):
    if not value:
        return ""
    return wall_time(value, fmt)
