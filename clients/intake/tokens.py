"""Intake links: signed, expiring, for one client's one intake.

The token signs the intake's public id and its current ``link_nonce`` with
SECRET_KEY and a time stamp: nothing stored yields it, it stops working after
INTAKE_LINK_MAX_AGE_DAYS, and resending the link (a new nonce) retires the old one.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from clients.models import Intake

_SALT = "clients.intake-link"


def max_age() -> timedelta:
    return timedelta(days=settings.INTAKE_LINK_MAX_AGE_DAYS)


def intake_token(intake: Intake) -> str:
    return signing.dumps([str(intake.public_id), intake.link_nonce], salt=_SALT, compress=False)


def intake_from_token(token: str) -> tuple[Intake | None, str]:
    """The intake this token opens, or None with the reason: ``invalid`` or ``expired``."""
    try:
        public_id, nonce = signing.loads(token, salt=_SALT, max_age=max_age())
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, ValueError, TypeError):
        return None, "invalid"
    intake = (
        Intake.objects.select_related("client", "practice", "form_version")
        .filter(public_id=public_id, link_nonce=nonce)
        .first()
    )
    if intake is None or intake.client.anonymised_at is not None:
        return None, "invalid"
    return intake, ""


def intake_url(intake: Intake) -> str:
    return settings.SITE_URL + reverse("intake-start", args=[intake_token(intake)])


def intake_link(intake: Intake) -> tuple[str, int]:
    """The link an intake email carries, and for how many days it works."""
    return intake_url(intake), max_age().days
