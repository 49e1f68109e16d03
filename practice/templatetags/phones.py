"""``tel`` and ``tel_links``: phone numbers on pages and in HTML emails, tap to call."""

from django import template
from django.conf import settings

from practice import phones

register = template.Library()


@register.filter
def tel(number):
    """A phone number as a link whose href is its E.164 form."""
    return phones.tel_link(str(number or ""), settings.PHONE_DEFAULT_REGION)


@register.filter
def phone(number):
    """A client's number written the practice's region's way, as a tap-to-call link."""
    return phones.phone_link(str(number or ""), settings.PHONE_DEFAULT_REGION)


@register.filter
def tel_links(text):
    """Free text (the crisis resources) with each number in it a tap-to-call link."""
    return phones.link_numbers(str(text or ""), settings.PHONE_DEFAULT_REGION)
