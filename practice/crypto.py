"""Field-level encryption for intake answers and screener results.

Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package) with
the keys in ``FIELD_ENCRYPTION_KEYS``: the first encrypts, every key decrypts,
so a key can be rotated without downtime (docs/deployment.md). A database dump
holds only tokens; the keys live in the environment, never in the database.
"""

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: intake answers cannot be encrypted or read."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "Each FIELD_ENCRYPTION_KEYS entry must be a Fernet key (32 url-safe base64 bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_json(value) -> str:
    return fernet().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(token: str):
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        # Never the token itself in the message.
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with the configured FIELD_ENCRYPTION_KEYS."
        ) from exc


def rotate(token: str) -> str:
    """The same plaintext under the first key."""
    return fernet().rotate(token.encode()).decode()


class EncryptedJSONField(models.TextField):
    """Any JSON value, stored as a Fernet token.

    Not searchable or orderable by content, on purpose: queries filter on the
    plain columns beside it. ``None`` stays NULL.
    """

    description = "JSON, encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt_json(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt_json(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise TypeError(f"An encrypted field cannot be filtered by {lookup_name!r}.")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        # Serialisers (dumpdata, fixtures) get the token, never the plaintext.
        return self.get_prep_value(self.value_from_object(obj))
