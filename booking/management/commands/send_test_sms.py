"""Send one test text message through SMS_BACKEND, now, without the worker."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booking.notify import sms


class Command(BaseCommand):
    help = "Send a test text message to NUMBER (E.164, e.g. +12025550143) through SMS_BACKEND."

    def add_arguments(self, parser):
        parser.add_argument("number")

    def handle(self, *args, number, **options):
        body = f"Test message from your booking service ({settings.SITE_URL})."
        try:
            message_id = sms.get_backend().send(to=number, body=body)
        except sms.SMSError as exc:
            raise CommandError(f"Not sent through {settings.SMS_BACKEND}: {exc}") from exc
        self.stdout.write(f"Sent to {number} through {settings.SMS_BACKEND} (id {message_id}).")
