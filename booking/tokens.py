"""Manage-link tokens: the client's way back to a booking, without an account.

A token is the appointment's public id and its client's ``link_nonce``,
signed with the SECRET_KEY (HMAC-SHA256 through ``django.core.signing``).
Nothing stored yields it, so a database dump alone reveals no usable link;
checking is constant-time; rotating SECRET_KEY (the old key kept in
SECRET_KEY_FALLBACKS for a while) rotates every link, and a new nonce on a
client rotates theirs (``clients.services.client_rotate_links``).

Which nonce a token must carry is booking.scheduling.selectors' rule: the client's own
for a proven client, empty for a hold or an unproven contact, so the link a
booker got on screen stops working the moment the address is proven.
"""

import uuid
from datetime import timedelta

from django.core import signing

_SALT = "booking.manage-link"
_CONFIRM_SALT = "booking.confirm-email"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=".")


def manage_token_for(public_id: uuid.UUID, nonce: str = "") -> str:
    return _signer().sign(public_id.hex + nonce)


def manage_token_parts(token: str) -> tuple[uuid.UUID, str] | None:
    """The appointment id and nonce a token carries, or None when it is not one of ours."""
    try:
        value = _signer().unsign(token)
        return uuid.UUID(hex=value[:32]), value[32:]
    except (signing.BadSignature, ValueError):
        return None


def public_id_from_token(token: str) -> uuid.UUID | None:
    parts = manage_token_parts(token)
    return parts[0] if parts else None


def confirm_email_token(public_id: uuid.UUID) -> str:
    """The link that proves the booker reads the address they typed (time-stamped)."""
    return signing.dumps(public_id.hex, salt=_CONFIRM_SALT, compress=False)


def public_id_from_confirm_token(token: str, *, max_age: timedelta) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=signing.loads(token, salt=_CONFIRM_SALT, max_age=max_age))
    except (signing.BadSignature, ValueError, TypeError):
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
