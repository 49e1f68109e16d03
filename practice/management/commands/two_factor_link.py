"""Print a one-time link for a staff user to set up their authenticator app.

For the first superuser of a deployment (nobody can make them a link in the
pages yet) and for anyone the owner cannot reach through /staff/team/.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practice.two_factor import ENROLMENT_LINK_HOURS, enrolment_link_create


class Command(BaseCommand):
    help = "Print a one-time two-factor enrolment link for a user."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        link = enrolment_link_create(user=user, created_by=None)
        self.stdout.write(link)
        self.stderr.write(
            f"Works once, for {ENROLMENT_LINK_HOURS} hours: open it, sign in as {username}, "
            "and scan the code with an authenticator app."
        )
