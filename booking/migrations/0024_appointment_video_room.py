import secrets

from django.db import migrations, models


def rooms_for_booked_sessions(apps, schema_editor):
    """Sessions booked before rooms existed get one each, so Jitsi can offer them a link."""
    Appointment = apps.get_model("booking", "Appointment")
    rows = Appointment.objects.filter(
        video_room="", status__in=["held", "pending", "confirmed"]
    ).only("pk")
    for row in rows.iterator():
        Appointment.objects.filter(pk=row.pk).update(video_room=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0023_appointment_event_undone"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="video_room",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(rooms_for_booked_sessions, migrations.RunPython.noop),
    ]
