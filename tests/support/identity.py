"""A booker proving their email the way a person does: the emailed link, then the button.

``confirm_path`` reads the link out of the email (tests that capture the
on-commit sends); ``confirm_email`` builds the same link from the token, for
tests about what happens after (tests/booking/test_identity.py checks the
email carries exactly that link).
"""

import re

from django.core import mail

from booking.tokens import confirm_email_token

CONFIRM_PATH = re.compile(r"https?://[^/\s]+(/book/confirm/[^/\s\"]+/)")


def confirm_path(address: str) -> str:
    """The confirmation link in the newest "confirm your booking" email to ``address``."""
    for message in reversed(mail.outbox):
        if address in message.to and message.subject.startswith("Please confirm"):
            return CONFIRM_PATH.search(message.body).group(1)
    raise AssertionError(f"no confirmation email to {address}")


def confirm_email(http, appointment):
    """Open the booking's confirmation link and press the button; returns the redirect."""
    path = f"/book/confirm/{confirm_email_token(appointment.public_id)}/"
    assert http.get(path).status_code == 200
    return http.post(path)
