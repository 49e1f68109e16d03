"""Client records, intake (forms, consent, screeners) and the audit trail.

Contact details are plain columns (staff search them). Intake answers and
screener results are Fernet-encrypted (practice.crypto): a database dump alone
does not reveal them.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from practice.crypto import EncryptedJSONField
from practice.models import Practice, Therapist
from practice.parsing import validate_birth_date
from practice.timezones import get_zone, validate_time_zone


class ClientStatus(models.TextChoices):
    PROSPECTIVE = "prospective", "Prospective"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DISCHARGED = "discharged", "Discharged"


ADDRESS_MAX_LENGTH = 500


class Client(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    # Legal name.
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_birth_date])
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, e.g. +12025550143")
    # Enforced by forms and serializers (and so the admin and the API), not the database.
    address = models.TextField(max_length=ADDRESS_MAX_LENGTH, blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=ClientStatus.choices, default=ClientStatus.PROSPECTIVE
    )
    assigned_therapist = models.ForeignKey(
        Therapist, on_delete=models.SET_NULL, null=True, blank=True, related_name="clients"
    )
    contact_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed to be contacted about sessions."
    )
    # Consent to text-message reminders, for the number in ``phone``: when it
    # was given and who recorded it (a staff member who heard the client say
    # so; empty when the client ticked the box themselves). Empty ``at``: no
    # texts. ``can_receive_sms`` is the one rule built on it.
    sms_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed to text-message reminders."
    )
    sms_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who recorded the consent; empty: the client themselves.",
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Identity is proven, never typed (docs/architecture.md, "Who is booking").
    # Set when the person clicked a link sent to ``email``, or when staff
    # created the record. Until then the record is a *contact*: what one
    # anonymous booker typed, matched to nobody, sent nothing but "confirm".
    verified_at = models.DateTimeField(null=True, blank=True)
    # A different person who shares another client's address (a couple, a
    # family), told apart by staff when they made this record. Not the
    # address's own record: a public booker who proves the address joins that
    # one, never this.
    shares_email = models.BooleanField(
        default=False,
        help_text="A different person who shares this email with the address's own record.",
    )
    # Part of every manage link of a verified client (booking.tokens): a new
    # value retires all of them at once. Empty for contacts (their links are
    # the booker's own and die when the address is proven) and for records
    # older than this field.
    link_nonce = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # One proven record per address: a contact whose address is proven
            # joins it rather than making a second one. Unproven contacts may
            # share an address (anyone can type anyone's email), and so may
            # people staff marked as sharing it (``shares_email``).
            models.UniqueConstraint(
                "practice",
                Lower("email"),
                condition=Q(verified_at__isnull=False, shares_email=False),
                name="client_unique_verified_email",
            ),
        ]
        indexes = [
            models.Index(Lower("last_name"), name="client_last_name_idx"),
            # Finding the proven record behind a contact's address.
            models.Index("practice", Lower("email"), name="client_email_idx"),
        ]

    def __str__(self) -> str:
        # Deliberately not the name: __str__ ends up in logs and admin messages.
        return f"Client #{self.pk}"

    @property
    def zone(self):
        return get_zone(self.time_zone)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def sms_consent(self) -> bool:
        return self.sms_consent_at is not None

    @property
    def can_receive_sms(self) -> bool:
        """The one rule for texting a client: a number, their consent to texts, not erased.

        Read when reminders are scheduled and again by the worker just before
        a text is sent, so consent withdrawn in between stops the text.
        """
        return bool(self.phone) and self.sms_consent_at is not None and self.anonymised_at is None

    @property
    def name_to_use(self) -> str:
        """The first name to greet them by: the one they asked us to use, if any."""
        return self.preferred_name or self.first_name

    @property
    def display_name(self) -> str:
        return f"{self.name_to_use} {self.last_name}".strip()

    @property
    def legal_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# A client's personal data on their record: what names, reaches, locates or describes
# them. The one list (a drift here is a privacy bug): export writes every field
# (clients.privacy.client_export), erasure clears every field (client_anonymise), and
# the staff pages, the staff API and intake's "about you" step take their fields from
# it. Every other field of Client is the practice's bookkeeping;
# tests/clients/test_personal_fields.py fails on a new field that is neither.
PERSONAL_FIELDS = (
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
    "contact_consent_at",
    "sms_consent_at",
)
# Records of consent: kept, exported and erased with the rest, but never typed as details.
CONSENT_FIELDS = ("contact_consent_at", "sms_consent_at")
# What the client tells about themselves in intake (address and zone came with the booking).
ABOUT_YOU_FIELDS = tuple(
    f for f in PERSONAL_FIELDS if f not in ("email", "time_zone", *CONSENT_FIELDS)
)
# What the front desk edits on a record: the personal details (consent to texts
# has its own tick box) and the record's status.
CONTACT_FIELDS = (*(f for f in PERSONAL_FIELDS if f not in CONSENT_FIELDS), "status")


# --- Intake forms ---------------------------------------------------------------


class QuestionType(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    YES_NO = "yes_no", "Yes / no"
    DATE = "date", "Date"
    SCALE = "scale", "Scale"


class IntakeForm(models.Model):
    """A questionnaire the practice writes; its questions live in numbered versions."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="intake_forms")
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(
        default=True, help_text="The active form is the one new clients get."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice"],
                condition=Q(is_active=True),
                name="intake_form_one_active_per_practice",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IntakeFormVersion(models.Model):
    """One published set of questions; never edited (a change publishes a new version).

    ``questions`` is an ordered list of ``{"key", "type", "label", "help",
    "required", "choices" (choice types), "min"/"max"/"min_label"/"max_label"
    (scale)}``; see clients.intake.validate_questions. Some questions are
    administrative (``"section": "admin"``: the receptionist may read them),
    the rest clinical.
    """

    form = models.ForeignKey(IntakeForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    questions = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="intake_form_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"


# --- Consent --------------------------------------------------------------------


class ConsentKind(models.TextChoices):
    INFORMED_CONSENT = "informed_consent", "Informed consent to treatment"
    PRIVACY_NOTICE = "privacy_notice", "Privacy notice"
    CANCELLATION_POLICY = "cancellation_policy", "Late-cancellation policy"
    TELEHEALTH = "telehealth", "Telehealth consent"


class ConsentDocument(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="consent_documents"
    )
    kind = models.CharField(max_length=32, choices=ConsentKind.choices)
    title = models.CharField(max_length=200)
    is_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["practice", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "kind"], name="consent_document_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class ConsentVersion(models.Model):
    """A document's text as published; the signature records its hash."""

    document = models.ForeignKey(ConsentDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="consent_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        self.sha256 = hashlib.sha256(self.text.encode()).hexdigest()
        super().save(*args, **kwargs)


class ConsentSignature(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="signatures")
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=200)
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="consent_signed_once"),
        ]

    def __str__(self) -> str:
        return f"Signature #{self.pk}"


# --- Intake ---------------------------------------------------------------------


class IntakeStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"


def new_link_nonce() -> str:
    return secrets.token_urlsafe(16)


class Intake(models.Model):
    """One client's intake: their answers to a form version, the screeners, the consents.

    ``answers`` (the form's questions) and ``progress`` are plain to the
    application but encrypted in the database. A link carries the public id
    and ``link_nonce`` signed with a time stamp (clients.intake.tokens); resending
    the link changes the nonce, so the old link stops working.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="intakes")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="intake")
    form_version = models.ForeignKey(
        IntakeFormVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="intakes"
    )
    status = models.CharField(
        max_length=16, choices=IntakeStatus.choices, default=IntakeStatus.INVITED
    )
    answers = EncryptedJSONField(default=dict)
    link_nonce = models.CharField(max_length=32, default=new_link_nonce)
    invited_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-invited_at"]
        indexes = [models.Index(fields=["practice", "status"], name="intake_queue_idx")]

    def __str__(self) -> str:
        return f"Intake #{self.pk} ({self.status})"

    @property
    def is_complete(self) -> bool:
        return self.status in (IntakeStatus.SUBMITTED, IntakeStatus.REVIEWED)


class Measure(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9 (depression)"
    GAD7 = "gad7", "GAD-7 (anxiety)"


class ScreenerResult(models.Model):
    """One completed standard measure; ``result`` holds items, score and band, encrypted."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="screener_results")
    intake = models.ForeignKey(
        Intake, on_delete=models.SET_NULL, null=True, blank=True, related_name="screener_results"
    )
    measure = models.CharField(max_length=8, choices=Measure.choices)
    result = EncryptedJSONField()
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["client", "measure", "completed_at"]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} #{self.pk}"


class SafetyAlert(models.Model):
    """Raised the moment a client answers PHQ-9 item 9 above zero; cleared by a clinician.

    Holds no answer: only that a clinician must look, and who did.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="safety_alerts")
    # The intake whose answer raised it (one alert per intake); the scored
    # result is linked once the whole measure is answered.
    intake = models.OneToOneField(
        Intake, on_delete=models.SET_NULL, null=True, blank=True, related_name="safety_alert"
    )
    screener_result = models.OneToOneField(
        ScreenerResult,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="safety_alert",
    )
    therapist = models.ForeignKey(
        Therapist, on_delete=models.SET_NULL, null=True, blank=True, related_name="safety_alerts"
    )
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Safety alert #{self.pk}"


# --- Audit trail ----------------------------------------------------------------


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CHANGE = "change", "Changed"
    CREATE = "create", "Created"
    EXPORT = "export", "Exported"
    ANONYMISE = "anonymise", "Anonymised"
    SEARCH = "search", "Searched"
    # A staff member asked for a client they may not see (answered 404).
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    """Who did what to which client's data, when and from where. Append-only.

    ``what`` names the part touched (``record``, ``contact``, ``intake``,
    ``scores``, ``export`` …) and ``fields`` the names of changed fields,
    never their values: the log itself holds no answers. The model refuses
    updates and deletes; on PostgreSQL a trigger refuses them too.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    what = models.CharField(max_length=32)
    # The client's id, not a foreign key: the entry outlives an erased client.
    client_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    via = models.CharField(max_length=8, blank=True, help_text="html, api, admin or link.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Audit #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
