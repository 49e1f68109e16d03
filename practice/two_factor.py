"""Two-factor devices: enrolment links, recovery codes, resets (services; the pages are in auth.py).

- Enrolment needs a one-time link (``EnrolmentLink``) made by an owner, by
  ``manage.py two_factor_link``, or by a staff member who already passed
  two-factor and is replacing their phone. The link's secret is random; only
  its SHA-256 digest is stored; it expires after ENROLMENT_LINK_HOURS and is
  spent when a device is confirmed with it.
- Recovery codes are django-otp static tokens: RECOVERY_CODES of them, shown
  once; each works once in place of the authenticator's code.
- An owner's reset removes every device of the user and every link they had.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.models import EnrolmentLink

ENROLMENT_LINK_HOURS = 72
RECOVERY_CODES = 10
RECOVERY_DEVICE_NAME = "Recovery codes"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def enrolment_link_create(*, user: AbstractBaseUser, created_by: AbstractBaseUser | None) -> str:
    """A new one-time enrolment link (absolute URL) for ``user``; it is never stored."""
    secret = secrets.token_urlsafe(32)
    EnrolmentLink.objects.create(
        user=user,
        digest=_digest(secret),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(hours=ENROLMENT_LINK_HOURS),
    )
    return settings.SITE_URL + reverse("staff-two-factor-enrol", args=[secret])


def enrolment_link_get(secret: str) -> EnrolmentLink | None:
    """The usable link ``secret`` opens, or None (unknown, spent or expired)."""
    link = EnrolmentLink.objects.select_related("user").filter(digest=_digest(secret)).first()
    if link is None or not link.is_usable(timezone.now()) or not link.user.is_active:
        return None
    return link


def enrolment_link_usable(link_id: int | None, *, user: AbstractBaseUser) -> EnrolmentLink | None:
    link = EnrolmentLink.objects.filter(pk=link_id, user=user).first() if link_id else None
    return link if link is not None and link.is_usable(timezone.now()) else None


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, link: EnrolmentLink | None) -> list[str]:
    """Make ``device`` the user's one authenticator; spend the link; new recovery codes."""
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if link is not None:
        spent = EnrolmentLink.objects.filter(pk=link.pk, used_at__isnull=True)
        if not spent.update(used_at=timezone.now()):
            raise PermissionError("This enrolment link was already used.")
    return recovery_codes_generate(user=user)


@transaction.atomic
def recovery_codes_generate(*, user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones (returned once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_reset(*, user: AbstractBaseUser) -> None:
    """Remove the user's authenticator, recovery codes and enrolment links (an owner's reset)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    EnrolmentLink.objects.filter(user=user).delete()
