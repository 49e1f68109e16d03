"""Writes for client records."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import CONTACT_FIELDS, Client, Intake, IntakeStatus, new_link_nonce
from practice.models import Practice


def client_create_contact(
    *,
    practice: Practice,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    time_zone: str,
    preferred_name: str = "",
    contact_consent: bool = False,
    sms_consent: bool = False,
) -> Client:
    """A new, unproven contact from what an anonymous booker typed.

    ``sms_consent``: they asked for text-message reminders at ``phone``
    themselves (so nobody is recorded as having taken it).

    Never matched to an existing record, whatever the email: typing an
    address proves nothing. ``client_prove_email`` turns it into a client
    (its own, or the proven record with that address) once the booker clicks
    the link sent to that address.
    """
    return _client_new(
        proven=False,
        practice=practice,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        time_zone=time_zone,
        preferred_name=preferred_name,
        contact_consent=contact_consent,
        sms_consent=sms_consent,
        sms_consent_by=None,
    )


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
    sms_consent: bool = False,
    by=None,
    shares_email: bool = False,
    assigned_therapist=None,
) -> tuple[Client, bool]:
    """Staff: the practice's proven client with this email (any letter case), created if new.

    Returns the client and whether it was created. Staff vouch for a record
    they create, so it is proven from the start; ``sms_consent`` is the
    client's agreement to text reminders as ``by`` (the staff user) heard it.
    An existing record's details are left as they are. ``shares_email``:
    staff said this is a different person who shares the address of an
    existing record: a new record of their own, marked as sharing it.
    ``assigned_therapist``: a therapist adding their own client (a new record only).
    """
    details = {
        "proven": True,
        "practice": practice,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "time_zone": time_zone,
        "preferred_name": preferred_name,
        "contact_consent": contact_consent,
        "sms_consent": sms_consent,
        "sms_consent_by": by,
        "assigned_therapist": assigned_therapist,
    }
    if shares_email:
        return _client_new(**details, shares_email=True), True
    existing = client_owning_email(practice, email)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _client_new(**details), True
    except IntegrityError:
        # Another request created the same client a moment ago.
        return client_owning_email(practice, email), False


SMS_CONSENT_NEEDS_PHONE = (
    "Text-message reminders need a mobile number: add one, or untick the text-message consent."
)


# What the audit trail records when a new number changes consent to texts.
SMS_CONSENT_CLEARED = "sms_consent_cleared_new_phone"
SMS_CONSENT_FOR_NEW_PHONE = "sms_consent_given_for_new_phone"


def _require_phone_for_sms(*, phone: str, sms_consent: bool) -> None:
    """Consent to texts is for a number: without one it would mean nothing (and look like a yes)."""
    if sms_consent and not phone:
        raise ValidationError({"sms_consent": SMS_CONSENT_NEEDS_PHONE})


def _client_new(
    *, proven: bool, contact_consent: bool, sms_consent: bool, sms_consent_by, **details
) -> Client:
    """One row from typed details (trimmed); ``proven``: vouched for, with its link nonce."""
    _require_phone_for_sms(phone=details.get("phone", ""), sms_consent=sms_consent)
    now = timezone.now()
    for name in ("first_name", "last_name", "email", "preferred_name"):
        details[name] = details[name].strip()
    return Client.objects.create(
        **details,
        contact_consent_at=now if contact_consent else None,
        sms_consent_at=now if sms_consent else None,
        sms_consent_by=sms_consent_by if sms_consent else None,
        verified_at=now if proven else None,
        link_nonce=new_link_nonce() if proven else "",
    )


def client_owning_email(practice: Practice, email: str) -> Client | None:
    """The address's own proven record (not a person staff marked as sharing it)."""
    return (
        Client.objects.filter(
            practice=practice,
            email__iexact=email.strip(),
            verified_at__isnull=False,
            shares_email=False,
        )
        .order_by("pk")
        .first()
    )


def client_prove_email(*, contact: Client, now=None) -> Client:
    """The booker clicked the link sent to the contact's address: identity proven.

    Returns the proven client: the practice's existing record with that
    address (the address's owner booked; the zone they gave this time and
    their consent to be contacted are carried over, and the caller moves the
    contact's sessions there and discards it), or else the contact itself,
    now proven. Either way the client gets a new link nonce, so links issued
    before the proof stop working. Call inside the caller's transaction.
    """
    now = now or timezone.now()
    contact = Client.objects.select_for_update().get(pk=contact.pk)
    if contact.is_verified:
        return contact
    existing = client_owning_email(contact.practice, contact.email)
    if existing is None:
        contact.verified_at = now
        contact.link_nonce = new_link_nonce()
        try:
            with transaction.atomic():
                contact.save(update_fields=["verified_at", "link_nonce", "updated_at"])
            return contact
        except IntegrityError:
            # Another contact with this address was proven a moment ago: join it.
            existing = client_owning_email(contact.practice, contact.email)
    return _join(contact=contact, client=existing)


def _join(*, contact: Client, client: Client) -> Client:
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = ["link_nonce", "time_zone", "updated_at"]
    client.link_nonce = new_link_nonce()
    client.time_zone = contact.time_zone
    if contact.contact_consent_at and client.contact_consent_at is None:
        client.contact_consent_at = contact.contact_consent_at
        changed.append("contact_consent_at")
    if _newer_sms_choice(contact, client):
        # Consent is for the number it was given with: both come over.
        client.phone = contact.phone
        client.sms_consent_at = contact.sms_consent_at
        client.sms_consent_by = None
        changed += ["phone", "sms_consent_at", "sms_consent_by"]
    client.save(update_fields=changed)
    return client


def _newer_sms_choice(contact: Client, client: Client) -> bool:
    """Does the booker's consent to texts replace the record's own choice?

    Yes when the booker asked for texts (an explicit choice) and the record's
    consent, if any, was recorded before that. A booking without consent is
    no choice at all (the form and API only ask when a number is given), so
    it never withdraws the record's consent: staff do that.
    """
    if contact.sms_consent_at is None:
        return False
    return client.sms_consent_at is None or client.sms_consent_at < contact.sms_consent_at


def client_discard_contact(*, contact: Client) -> None:
    """Delete an unproven contact whose sessions have moved to a proven record."""
    if contact.is_verified:
        raise ValidationError("Only an unproven contact can be discarded.")
    contact.delete()


def client_rotate_links(*, client: Client) -> Client:
    """Retire every manage link of a client (a new nonce); booking's
    ``client_links_replace`` retires the calendar feed URL with it.

    For a proven client only (a contact's single link dies with its proof).
    """
    if not client.is_verified:
        raise ValidationError("This contact has not confirmed their email yet.")
    client.link_nonce = new_link_nonce()
    client.save(update_fields=["link_nonce", "updated_at"])
    return client


def client_update_contact(*, client: Client, changes: dict, by=None) -> list[str]:
    """Apply staff edits to contact fields; returns the names of the fields that changed.

    ``changes`` may hold ``sms_consent`` (bool): ticked records the client's
    agreement to text reminders as ``by`` heard it, unticked withdraws it.
    Consent needs a number (a readable ``ValidationError`` otherwise), and is
    to texts at that number: a new number clears it unless the same edit gives
    ``sms_consent`` again (recorded anew). The returned names say which
    (``SMS_CONSENT_CLEARED`` / ``SMS_CONSENT_FOR_NEW_PHONE``), for the audit trail.
    """
    changed = [f for f in CONTACT_FIELDS if f in changes and getattr(client, f) != changes[f]]
    new_number = "phone" in changed
    consent = changes.get("sms_consent", False if new_number else client.sms_consent)
    _require_phone_for_sms(phone=changes.get("phone", client.phone), sms_consent=consent)
    for field in changed:
        setattr(client, field, changes[field])
    note = []
    if consent != client.sms_consent or (new_number and consent):
        if new_number:
            note = [SMS_CONSENT_FOR_NEW_PHONE if consent else SMS_CONSENT_CLEARED]
        client.sms_consent_at = timezone.now() if consent else None
        client.sms_consent_by = by if consent else None
        changed += ["sms_consent_at", "sms_consent_by"]
    if changed:
        try:
            with transaction.atomic():
                client.save(update_fields=[*changed, "updated_at"])
                if "email" in changed:
                    _intake_restart_for_new_address(client)
        except IntegrityError as exc:
            raise ValidationError(
                {"email": "Another client of the practice already uses this email."}
            ) from exc
    return changed + note


def _intake_restart_for_new_address(client: Client) -> None:
    """A new address never opens answers given before it: an unfinished intake starts again.

    Its link changes (the old one stops working) and its answers and
    signatures so far are discarded, so whoever reads the new address sees
    only what they give themselves. A submitted intake is the practice's
    record and stays; its link only shows that it was sent.
    """
    intake = Intake.objects.select_for_update().filter(client=client).first()
    if intake is None:
        return
    intake.link_nonce = new_link_nonce()
    if intake.is_complete:
        intake.save(update_fields=["link_nonce", "updated_at"])
        return
    intake.answers = {}
    intake.status = IntakeStatus.INVITED
    intake.started_at = None
    intake.save(update_fields=["link_nonce", "answers", "status", "started_at", "updated_at"])
    client.signatures.all().delete()


def client_assign_therapist(*, client: Client, therapist) -> None:
    if therapist is not None and therapist.practice_id != client.practice_id:
        raise ValidationError("That therapist is not at this practice.")
    client.assigned_therapist = therapist
    client.save(update_fields=["assigned_therapist", "updated_at"])
    # An open safety alert follows the client to their new therapist.
    client.safety_alerts.filter(acknowledged_at__isnull=True).update(therapist=therapist)
