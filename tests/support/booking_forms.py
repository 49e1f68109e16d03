"""What a client types into the public booking page's details form (invented)."""

DETAILS = {
    "first_name": "Robin",
    "last_name": "Example",
    "email": "robin@example.com",
    "phone": "+1 202 555 0143",
    "first_session": "yes",
    "consent": "on",
    "sms_consent": "on",
}
