"""Forms for the client's booking pages: plain words, errors next to their fields."""

import phonenumbers
from django import forms
from django.conf import settings

from practice.phones import can_take_texts


class DetailsForm(forms.Form):
    first_name = forms.CharField(
        max_length=100,
        label="First name",
        error_messages={"required": "Please enter your first name."},
    )
    last_name = forms.CharField(
        max_length=100,
        label="Last name",
        error_messages={"required": "Please enter your last name."},
    )
    preferred_name = forms.CharField(
        max_length=100, required=False, label="Name you would like us to use (optional)"
    )
    email = forms.EmailField(
        max_length=254,
        label="Email",
        help_text="We send your confirmation and reminders here.",
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        label="Mobile phone (optional)",
        help_text="Only for text-message reminders. Outside the US, start with your "
        "country code, like +44 7911 123456.",
    )
    first_session = forms.TypedChoiceField(
        label="Is this your first session with us?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        error_messages={"required": "Please answer yes or no."},
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything you would like us to know before we meet? (optional)",
        help_text="Please do not include anything urgent: we read this before your session.",
    )
    sms_consent = forms.BooleanField(
        required=False, label="Send me text-message reminders at this number."
    )
    consent = forms.BooleanField(
        label="You may contact me by email about my sessions.",
        error_messages={"required": "We need your agreement to send your confirmation."},
    )

    AUTOCOMPLETE = {
        "first_name": "given-name",
        "last_name": "family-name",
        "preferred_name": "nickname",
        "email": "email",
        "phone": "tel",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        self.fields["phone"].widget.input_type = "tel"

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                "This does not look like a phone number we can reach. Include the country "
                "code if you are outside the US, like +44 7911 123456."
            )
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if not can_take_texts(e164):
            raise forms.ValidationError(
                "This looks like a landline, which cannot receive text messages. Enter a "
                "mobile number, or leave it empty to get your reminders by email only."
            )
        return e164

    def clean(self):
        # The number is only for texts (sent only with consent: Client.can_receive_sms),
        # so a number and consent to texts come together.
        data = super().clean()
        phone, texts = data.get("phone"), data.get("sms_consent")
        if phone and not texts:
            self.add_error(
                "sms_consent",
                "Tick this box to get text reminders, or leave the mobile number empty: "
                "we only use it for texts.",
            )
        if texts and not phone and "phone" not in self.errors:
            self.add_error("phone", "Enter a mobile number for text reminders, or untick the box.")
        return data
