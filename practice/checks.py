"""System checks: settings the service cannot run safely without.

Registered in PracticeConfig.ready as deploy checks: `check --deploy` runs
them (CI does, and the compose `migrate` step does before migrating), so a
missing or malformed key stops a deployment before it serves anyone, while
development commands such as makemigrations run without production secrets.
"""

from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(deploy=True)
def field_encryption_keys(app_configs, **kwargs):
    from practice.crypto import fernet

    try:
        fernet()
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys: "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="practice.E001",
            )
        ]
    return []


@register(deploy=True)
def site_url_is_https(app_configs, **kwargs):
    """Links in emails and feeds carry manage, intake and feed tokens: HTTPS only."""
    from django.conf import settings

    if settings.DEBUG or settings.SITE_URL.startswith("https://"):
        return []
    return [
        Error(
            f"SITE_URL must start with https:// in production (it is {settings.SITE_URL!r}): "
            "links in emails, texts and calendar feeds carry secret tokens.",
            hint="Set SITE_URL to the public address, e.g. SITE_URL=https://booking.example.org",
            id="practice.E002",
        )
    ]


@register(deploy=True)
def anymail_webhook_secret(app_configs, **kwargs):
    """An HTTP email provider without a webhook secret: bounces are never recorded."""
    from django.conf import settings

    from practice.webhooks import webhook_secret_set

    if not settings.EMAIL_BACKEND.startswith("anymail.") or webhook_secret_set():
        return []
    return [
        Warning(
            "EMAIL_BACKEND is an anymail provider but ANYMAIL_WEBHOOK_SECRET is not set: "
            "the delivery/bounce webhook answers 404, so bounces are not recorded.",
            hint="Set ANYMAIL_WEBHOOK_SECRET=user:long-random-password and give the provider "
            "https://user:long-random-password@your-host/anymail/<provider>/tracking/",
            id="practice.W001",
        )
    ]
