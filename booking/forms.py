"""Forms for the client's booking pages: plain words, errors next to their fields."""

import phonenumbers
from django import forms
from django.conf import settings


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
        label="Mobile phone",
        help_text="With the country code if you are outside the US, e.g. +44 20 7946 0958.",
        error_messages={"required": "Please enter a phone number we can reach you on."},
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
    consent = forms.BooleanField(
        label="You may contact me by email and text message about my sessions.",
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
        raw = self.cleaned_data["phone"]
        try:
            number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                "This does not look like a phone number we can reach. Include the country "
                "code if you are outside the US, e.g. +44 20 7946 0958."
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
