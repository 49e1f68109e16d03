"""How people are named on staff pages."""

from django import template

from practice.display import staff_name as staff_name_text

register = template.Library()


@register.filter
def staff_name(user):
    """{{ event.by|staff_name }}: full name when set, else the user name."""
    return staff_name_text(user)
