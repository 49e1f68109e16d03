"""Manage-link tokens: the client's way back to a booking, without an account.

A token is the appointment's public id signed with the SECRET_KEY (HMAC-SHA256
through ``django.core.signing``). Nothing is stored, so a database dump alone
reveals no usable link; checking is constant-time; rotating SECRET_KEY (with
the old key kept in SECRET_KEY_FALLBACKS for a while) rotates every link.
"""

import uuid

from django.core import signing

_SALT = "booking.manage-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=".")


def manage_token_for(public_id: uuid.UUID) -> str:
    return _signer().sign(public_id.hex)


def public_id_from_token(token: str) -> uuid.UUID | None:
    """The appointment id a token grants, or None when it is not one of ours."""
    try:
        return uuid.UUID(hex=_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None


# --- Calendar feed tokens -----------------------------------------------------
# "<feed public id hex>.<HMAC>", the HMAC keyed by SECRET_KEY and salted with the
# feed's own random secret: rotating the secret kills the old URL at once.


def _feed_signer(secret: str) -> signing.Signer:
    return signing.Signer(salt=f"booking.calendar-feed:{secret}", sep=".")


def feed_token_for(public_id: uuid.UUID, secret: str) -> str:
    return _feed_signer(secret).sign(public_id.hex)


def feed_id_from_token(token: str) -> uuid.UUID | None:
    """The feed id a token claims (unverified: check it with ``feed_token_valid``)."""
    value, _, _ = token.partition(".")
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        return None


def feed_token_valid(token: str, secret: str) -> bool:
    """Constant-time check of the token against the feed's current secret."""
    try:
        _feed_signer(secret).unsign(token)
    except signing.BadSignature:
        return False
    return True
