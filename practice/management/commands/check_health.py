"""Exit 0 when the database and the broker answer, 1 otherwise (for container health checks)."""

from django.core.management.base import BaseCommand, CommandError

from practice.health import checks


class Command(BaseCommand):
    help = "Check that the database and the Celery broker are reachable."

    def handle(self, *args, **options):
        results = checks()
        for name, value in results.items():
            self.stdout.write(f"{name}: {value}")
        if any(value != "ok" for value in results.values()):
            raise CommandError("Not ready.")
