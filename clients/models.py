"""Client records. Minimal for now: who booked, and how to reach them."""

from django.db import models
from django.db.models.functions import Lower

from practice.models import Practice
from practice.timezones import get_zone, validate_time_zone


class Client(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, e.g. +12025550143")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    contact_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed to be contacted about sessions."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # A returning client who books again with the same email is the same record.
            models.UniqueConstraint(
                "practice", Lower("email"), name="client_unique_email_per_practice"
            ),
        ]

    def __str__(self) -> str:
        # Deliberately not the name: __str__ ends up in logs and admin messages.
        return f"Client #{self.pk}"

    @property
    def zone(self):
        return get_zone(self.time_zone)
