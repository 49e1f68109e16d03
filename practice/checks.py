"""System checks: settings the service cannot run safely without.

Registered in PracticeConfig.ready; they run on `migrate` (the deploy's
first step), `check` and `runserver`, so a malformed key stops a deployment
before it serves anyone (a missing one already stops the settings).
"""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
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
