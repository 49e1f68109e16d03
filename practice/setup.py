"""First run of a deployment: the practice and its owner, who gets in through emailed links.

The owner gets a random password nobody knows, so neither a password nor a
device travels by email: the welcome email carries a one-time password link
(Django's reset token, spent when the password changes) and a one-time
two-factor enrolment link (practice.two_factor). Should the first lapse, the
sign-in page's "Forgot your password" sends another to the same address.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from practice.models import Practice, StaffMember, StaffRole
from practice.timezones import validate_time_zone


class AlreadySetUp(Exception):
    """The deployment has a practice already: add staff from the pages instead."""


def practice_setup(*, name: str, time_zone: str, owner_email: str):
    """Create the first practice and its owner (a staff user with the owner role)."""
    validate_time_zone(time_zone)
    validate_email(owner_email)
    if not name.strip():
        raise ValidationError("The practice needs a name.")
    User = get_user_model()
    with transaction.atomic():
        if Practice.objects.exists():
            raise AlreadySetUp(Practice.objects.order_by("pk").first().name)
        if User.objects.filter(username=owner_email).exists():
            raise AlreadySetUp(owner_email)
        practice = Practice.objects.create(
            name=name.strip(), slug=slugify(name)[:50] or "practice", time_zone=time_zone
        )
        owner = User.objects.create_user(
            username=owner_email,
            email=owner_email,
            password=secrets.token_urlsafe(32),
            is_staff=True,  # the admin is the owner's (practice.admin_site)
        )
        StaffMember.objects.create(practice=practice, user=owner, role=StaffRole.OWNER)
    return practice, owner


def password_link(user) -> str:
    """A one-time link to choose a password (PASSWORD_RESET_TIMEOUT, spent on use)."""
    from django.conf import settings
    from django.urls import reverse

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("staff-password-reset-confirm", args=[uid, token])
