"""Writes for client records."""

from django.db import IntegrityError, transaction

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
) -> Client:
    """The practice's client with this email (any letter case), created if new.

    A returning client's stored details are left as they are: a booking form
    is not the place to overwrite a record, and whether one existed is never
    revealed to the person booking.
    """
    email = email.strip()
    existing = Client.objects.filter(practice=practice, email__iexact=email).first()
    if existing is not None:
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
            )
    except IntegrityError:
        # Another request created the same client a moment ago.
        return Client.objects.get(practice=practice, email__iexact=email)
