"""Writes for client records."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
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


CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "time_zone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "status",
)


def client_update_contact(*, client: Client, changes: dict) -> list[str]:
    """Apply staff edits to contact fields; returns the names of the fields that changed."""
    changed = [f for f in CONTACT_FIELDS if f in changes and getattr(client, f) != changes[f]]
    for field in changed:
        setattr(client, field, changes[field])
    if changed:
        try:
            with transaction.atomic():
                client.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise ValidationError(
                {"email": "Another client of the practice already uses this email."}
            ) from exc
    return changed


def client_assign_therapist(*, client: Client, therapist) -> None:
    if therapist is not None and therapist.practice_id != client.practice_id:
        raise ValidationError("That therapist is not at this practice.")
    client.assigned_therapist = therapist
    client.save(update_fields=["assigned_therapist", "updated_at"])
    # An open safety alert follows the client to their new therapist.
    client.safety_alerts.filter(acknowledged_at__isnull=True).update(therapist=therapist)


def client_anonymise(*, client: Client, now=None) -> Client:
    """Erase a client's personal data on request; keep the practice's appointment history.

    Sessions stay (times, therapist, status: the practice's own records and the
    constraint's history), now pointing at an anonymous record. Future sessions
    are cancelled without notice (nobody is left to notify); intake answers,
    scores, alerts, signatures and the client's calendar feed are deleted;
    messages not yet sent are called off.
    """
    from booking.models import (
        ACTIVE_STATUSES,
        Appointment,
        AppointmentStatus,
        CalendarFeed,
        Notification,
        NotificationState,
    )
    from clients.models import ClientStatus

    now = now or timezone.now()
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        Notification.objects.filter(
            Q(appointment__client=client) | Q(intake__client=client),
            state__in=[NotificationState.SCHEDULED, NotificationState.SENDING],
            send_started_at__isnull=True,
        ).update(state=NotificationState.CANCELLED)
        Appointment.objects.filter(client=client, status__in=ACTIVE_STATUSES, start__gt=now).update(
            status=AppointmentStatus.CANCELLED, cancelled_at=now, updated_at=now
        )
        Appointment.objects.filter(client=client).update(client_note="")
        client.safety_alerts.all().delete()
        client.screener_results.all().delete()
        client.signatures.all().delete()
        if hasattr(client, "intake"):
            client.intake.delete()
        CalendarFeed.objects.filter(client=client).delete()
        for field, value in {
            "first_name": "Anonymised",
            "last_name": f"client {client.pk}",
            "preferred_name": "",
            "pronouns": "",
            "date_of_birth": None,
            "email": f"anonymised-{client.public_id}@invalid.example",
            "phone": "",
            "address": "",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
            "emergency_contact_relationship": "",
            "contact_consent_at": None,
            "status": ClientStatus.DISCHARGED,
            "anonymised_at": now,
        }.items():
            setattr(client, field, value)
        client.save()
    return client
