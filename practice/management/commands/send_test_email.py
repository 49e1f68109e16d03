"""Send one test email through the configured transport, now, without the worker.

For the operator after setting EMAIL_URL / EMAIL_BACKEND: it either says the
server (or provider) took the message or fails with the reason.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Send a test email to ADDRESS through the configured email settings."

    def add_arguments(self, parser):
        parser.add_argument("address")

    def handle(self, *args, address, **options):
        message = EmailMessage(
            subject="Test email from your booking service",
            body=f"A test from {settings.SITE_URL}: emails to clients will arrive like this.",
            to=[address],
        )
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 (the operator needs the reason, whatever it is)
            code = getattr(exc, "smtp_code", None)
            raise CommandError(
                f"Not sent through {settings.EMAIL_BACKEND}: {type(exc).__name__}"
                + (f" ({code})" if code else "")
                + f": {exc}"
            ) from exc
        provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
        self.stdout.write(
            f"Sent to {address} through {settings.EMAIL_BACKEND}"
            + (f" (provider id {provider_id})" if provider_id else "")
            + "."
        )
