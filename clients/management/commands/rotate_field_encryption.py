"""Re-encrypt every encrypted field under the first of FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after
it), restart, run this, then remove the old keys. Safe to run again.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from practice.crypto import EncryptedJSONField

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt intake answers and screener results under the newest key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedJSONField)]
            if not fields:
                continue
            rows = model.objects.only("pk", *fields).order_by("pk")
            for row in rows.iterator(chunk_size=BATCH):
                with transaction.atomic():
                    # Decrypted with whichever key wrote it; written under the first.
                    model.objects.filter(pk=row.pk).update(
                        **{name: getattr(row, name) for name in fields}
                    )
                total += 1
        self.stdout.write(f"Re-encrypted {total} row(s) under the current key.")
