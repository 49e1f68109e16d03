"""Consent to text-message reminders, recorded: when, and who recorded it.

Until now any client with a number got SMS reminders. The public details form
only takes a number together with "send me text reminders", and it is the
only path that sets ``contact_consent_at`` (staff-created records and the
public API never did), so a record with both a number and that consent gave
its consent to texts through the form: it keeps getting them, recorded as the
client's own choice. Every other number gets no texts until someone records
consent.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def consent_given_on_the_public_form(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Client.objects.exclude(phone="").filter(
        contact_consent_at__isnull=False, anonymised_at__isnull=True, sms_consent_at__isnull=True
    ).update(sms_consent_at=models.F("contact_consent_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0006_client_birth_date_range_and_address_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='sms_consent_at',
            field=models.DateTimeField(blank=True, help_text='When they agreed to text-message reminders.', null=True),
        ),
        migrations.AddField(
            model_name='client',
            name='sms_consent_by',
            field=models.ForeignKey(blank=True, help_text='The staff member who recorded the consent; empty: the client themselves.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(consent_given_on_the_public_form, migrations.RunPython.noop),
    ]
