"""Writes for client records."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client
from practice.models import Practice


def client_get_or_create(
    *,
    practice: Practice,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    time_zone: str,
    preferred_name: str = "",
    contact_consent: bool = False,
) -> Client:
    """The practice's client with this email (any letter case), created if new.

    A returning client's stored details are left as they are: a booking form
    is not the place to overwrite a record, and whether one existed is never
    revealed to the person booking.
    """
    email = email.strip()
    consent_at = timezone.now() if contact_consent else None
    existing = Client.objects.filter(practice=practice, email__iexact=email).first()
    if existing is not None:
        if consent_at and existing.contact_consent_at is None:
            existing.contact_consent_at = consent_at
            existing.save(update_fields=["contact_consent_at", "updated_at"])
        return existing
    try:
        with transaction.atomic():
            return Client.objects.create(
                practice=practice,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email=email,
                phone=phone,
                time_zone=time_zone,
                preferred_name=preferred_name.strip(),
                contact_consent_at=consent_at,
            )
    except IntegrityError:
        # Another request created the same client a moment ago.
        return Client.objects.get(practice=practice, email__iexact=email)
