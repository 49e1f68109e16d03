"""Print a therapist's (or the front desk's) private calendar feed URL."""

from django.core.management.base import BaseCommand, CommandError

from booking.feeds import feeds
from booking.models import FeedKind
from practice.models import Therapist
from practice.selectors import practice_current


class Command(BaseCommand):
    help = "Print a therapist's calendar feed URL (https and webcal). --rotate makes a new one."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", help="The therapist's login email.")
        parser.add_argument(
            "--practice", action="store_true", help="The front desk's all-therapists feed."
        )
        parser.add_argument(
            "--rotate", action="store_true", help="Replace the URL; the old one stops working."
        )

    def handle(self, *args, email=None, practice=False, rotate=False, **options):
        if practice:
            current = practice_current()
            if current is None:
                raise CommandError("No practice is set up yet.")
            feed = feeds.feed_get_or_create(kind=FeedKind.PRACTICE, practice=current)
        elif email:
            therapist = (
                Therapist.objects.select_related("practice")
                .filter(user__email__iexact=email)
                .first()
            )
            if therapist is None:
                raise CommandError(f"No therapist logs in with {email}.")
            feed = feeds.feed_get_or_create(
                kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
            )
        else:
            raise CommandError("Give a therapist's email, or --practice.")
        if rotate:
            feeds.feed_rotate(feed=feed)
            self.stderr.write("Made a new URL; the old one no longer works.")
        urls = feeds.feed_urls(feed)
        self.stdout.write(urls["https"])
        self.stdout.write(urls["webcal"])
