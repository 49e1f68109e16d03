"""Staff and intake forms for client data."""

import phonenumbers
from django import forms
from django.conf import settings
from django.utils import timezone

from clients.intake.services import ABOUT_REQUIRED
from clients.models import ABOUT_YOU_FIELDS, CONTACT_FIELDS, Client
from clients.services import SMS_CONSENT_NEEDS_PHONE
from practice import licensing
from practice.models import SessionType, Therapist
from practice.parsing import SKIPPED_TIME, DateField, DateInput, wall_start
from practice.phones import can_take_texts
from practice.timezones import zone_from_choice, zone_label, zone_read, zone_suggestion


def normalise_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise forms.ValidationError("Enter a phone number, e.g. +1 202 555 0143.") from exc
    if not phonenumbers.is_possible_number(number):
        raise forms.ValidationError("This phone number looks too short or too long.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


SMS_CONSENT_LABEL = "The client agreed to text-message reminders"
SMS_CONSENT_HELP = (
    "Tick only if the client said so. Without it no texts are sent, even with a number; "
    "unticking stops any text not yet sent."
)
NOT_TEXTABLE = (
    "This looks like a landline, which cannot receive text messages: enter a mobile "
    "number, or untick the text-message consent."
)


def sms_consent_field() -> forms.BooleanField:
    return forms.BooleanField(required=False, label=SMS_CONSENT_LABEL, help_text=SMS_CONSENT_HELP)


# The zone field searches the friendly names ("Mountain Time — Denver (UTC−7)");
# the list is the ``zones`` datalist (templates/staff/_zones.html).
ZONE_SEARCH = {"list": "zones", "autocomplete": "off", "spellcheck": "false"}
ZONE_HELP = "Type a city or a zone's name (Denver, Mountain) and pick from the list."


def zone_shown(name: str) -> str:
    """What the zone field shows for a stored zone: its friendly name."""
    return zone_label(name, timezone.now()) if zone_read(name) == name else name


class SmsConsentChecks:
    """Consent to texts goes with a number that can take them (errors by the fields)."""

    def clean(self):
        data = super().clean()
        if not data.get("sms_consent") or "phone" in self.errors:
            return data
        if not data.get("phone"):
            self.add_error("sms_consent", SMS_CONSENT_NEEDS_PHONE)
        elif not can_take_texts(data["phone"]):
            self.add_error("phone", NOT_TEXTABLE)
        return data


class ContactForm(SmsConsentChecks, forms.ModelForm):
    """Contact and emergency details, as the front desk edits them."""

    sms_consent = sms_consent_field()
    time_zone = forms.CharField(
        max_length=100,
        widget=forms.TextInput(attrs=ZONE_SEARCH),
        help_text=ZONE_HELP,
    )

    class Meta:
        model = Client
        fields = list(CONTACT_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"first_name": "Legal first name", "last_name": "Legal last name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sms_consent"].initial = self.instance.sms_consent
        if self.instance.time_zone:
            self.initial["time_zone"] = zone_shown(self.instance.time_zone)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_emergency_contact_phone(self):
        return normalise_phone(self.cleaned_data.get("emergency_contact_phone", ""))

    def clean_time_zone(self):
        return _picked_zone(self.cleaned_data.get("time_zone", ""))


class AboutYouForm(forms.ModelForm):
    """The client's own first intake step."""

    class Meta:
        model = Client
        fields = list(ABOUT_YOU_FIELDS)
        widgets = {"date_of_birth": DateInput(), "address": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "first_name": "Legal first name",
            "last_name": "Legal last name",
            "preferred_name": "Name you would like us to use (optional)",
            "pronouns": "Pronouns (optional)",
            "emergency_contact_name": "Emergency contact: name",
            "emergency_contact_phone": "Emergency contact: phone",
            "emergency_contact_relationship": "Emergency contact: relationship to you",
        }
        help_texts = {
            "phone": "A number we can call you on. Outside the US, start with your country "
            "code, like +44 7911 123456.",
            "emergency_contact_phone": "Outside the US, start with the country code.",
        }

    def __init__(self, *args, strict: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = strict and name in ABOUT_REQUIRED
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        for name, field in self.fields.items():
            field.marked_required = name in ABOUT_REQUIRED or name in ("first_name", "last_name")
            field.error_messages["required"] = f"Please fill in “{field.label}”."

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_emergency_contact_phone(self):
        return normalise_phone(self.cleaned_data.get("emergency_contact_phone", ""))

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value is not None and not (1900 <= value.year <= timezone.now().year):
            raise forms.ValidationError("Enter your date of birth, e.g. 1990-04-21.")
        return value


class NewClientForm(SmsConsentChecks, forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField()
    phone = forms.CharField(max_length=32, required=False)
    sms_consent = sms_consent_field()
    time_zone = forms.CharField(
        max_length=100,
        widget=forms.TextInput(attrs=ZONE_SEARCH),
        help_text=ZONE_HELP,
    )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_time_zone(self):
        return _picked_zone(self.cleaned_data.get("time_zone", ""))


def _picked_zone(value: str) -> str:
    """A zone picked from the search list (its friendly label) or named (IANA)."""
    name = zone_from_choice(value, timezone.now())
    if name is None:
        right = zone_suggestion(value)
        raise forms.ValidationError(
            "Choose a time zone from the list: type a city or a zone, e.g. Denver or Mountain."
            + (f" Did you mean {right}?" if right else "")
        )
    return name


class BookOnBehalfForm(forms.Form):
    """A session for a client, booked by staff, at a time in the therapist's own zone."""

    session_type = forms.ModelChoiceField(queryset=SessionType.objects.none())
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.none(), required=False, empty_label="Whoever is free"
    )
    date = DateField(widget=DateInput())
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    override_hours = forms.BooleanField(
        required=False,
        label="Outside working hours or notice (never over another session)",
    )
    client_region = forms.ChoiceField(
        required=False,
        label="Video sessions: where the client will be",
        choices=[("", "As the client's time zone suggests"), *licensing.REGIONS.items()],
        help_text="The therapist must be licensed there.",
    )
    licence_override_reason = forms.CharField(
        required=False,
        max_length=300,
        label="Book a video session although the therapist is not licensed there: why",
        help_text="Kept with your name on the session and in the audit log.",
    )

    def __init__(self, *args, practice, zone, **kwargs):
        super().__init__(*args, **kwargs)
        # "Whoever is free" has no therapist's zone: the time is read in the page's.
        self.zone = zone
        self.fields["session_type"].queryset = SessionType.objects.filter(
            practice=practice, is_active=True
        )
        self.fields["therapist"].queryset = Therapist.objects.filter(
            practice=practice, is_active=True
        )

    def clean(self):
        cleaned = super().clean()
        therapist, day, at = cleaned.get("therapist"), cleaned.get("date"), cleaned.get("time")
        if therapist is None and cleaned.get("override_hours"):
            raise forms.ValidationError(
                "Choose a therapist to book outside working hours: "
                "“whoever is free” only finds times someone offers."
            )
        if day and at:
            start = wall_start(day, at, therapist.zone if therapist else self.zone)
            if start is None:
                raise forms.ValidationError(SKIPPED_TIME)
            cleaned["start"] = start
        return cleaned


class AssignForm(forms.Form):
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.none(), required=False, empty_label="No one yet"
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = Therapist.objects.filter(
            practice=practice, is_active=True
        )
