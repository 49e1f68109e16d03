"""System checks: settings the service cannot run safely without.

Registered in PracticeConfig.ready as deploy checks: `check --deploy` runs
them (CI does, and the compose `migrate` step does before migrating), so a
missing or malformed key stops a deployment before it serves anyone, while
development commands such as makemigrations run without production secrets.
"""

from django.core.checks import Error, register
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
