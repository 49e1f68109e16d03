"""Public bookings make unproven contacts; one proven record per address.

Records that exist before this migration were made by staff or by bookings
the practice has been treating as its clients: they count as proven from
when they were created, so the new partial unique index holds at once.
"""

import django.db.models.functions.text
from django.db import migrations, models


def existing_records_are_proven(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Client.objects.filter(verified_at__isnull=True).update(verified_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0004_audit_log_append_only_on_postgresql'),
        ('practice', '0004_staff_roles_two_factor_and_intake_settings'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='client',
            name='client_unique_email_per_practice',
        ),
        migrations.AddField(
            model_name='client',
            name='link_nonce',
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='client',
            name='verified_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(existing_records_are_proven, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(models.F('practice'), django.db.models.functions.text.Lower('email'), name='client_email_idx'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.UniqueConstraint(models.F('practice'), django.db.models.functions.text.Lower('email'), condition=models.Q(('verified_at__isnull', False)), name='client_unique_verified_email'),
        ),
    ]
