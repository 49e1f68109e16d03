"""First run: create the practice and its owner, and email the owner their way in.

    manage.py setup_practice --name "Riverside Therapy" --time-zone Europe/Berlin \
        --owner-email owner@riverside.example

The email is sent now, through the configured email settings (try them first
with `manage.py send_test_email`), not through the worker.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practice.setup import AlreadySetUp, practice_setup
from practice.tasks import owner_welcome_email_send


class Command(BaseCommand):
    help = "Create the practice and its owner on a fresh deployment; email the owner links."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--time-zone", required=True, help="IANA name, e.g. Europe/Berlin")
        parser.add_argument("--owner-email", required=True)

    def handle(self, *args, name, time_zone, owner_email, **options):
        try:
            practice, owner = practice_setup(
                name=name, time_zone=time_zone, owner_email=owner_email
            )
        except ValidationError as exc:
            raise CommandError(f"Not set up: the time zone or address is wrong. {exc}") from exc
        except AlreadySetUp as exc:
            raise CommandError(f"Not set up: this deployment already has {exc}.") from exc
        try:
            owner_welcome_email_send(owner.pk)
        except Exception as exc:  # noqa: BLE001 (the operator needs to know, whatever it is)
            raise CommandError(
                f"{practice.name} and its owner are created, but the email did not go out "
                f"({type(exc).__name__}). Fix the email settings (manage.py send_test_email), "
                f"then use 'Forgot your password' on the sign-in page with {owner_email}, "
                f"and `manage.py two_factor_link {owner_email}`."
            ) from exc
        self.stdout.write(f"{practice.name} is set up; {owner_email} has their links by email.")
