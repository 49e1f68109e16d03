"""Staff API tokens for integrations: hashed at rest, shown once, expiring, revocable.

A token reads ``ptk_<key_id>_<secret>``: ``key_id`` finds the row, the secret is
checked against its SHA-256 digest in constant time. The secret carries 256
random bits, so a plain digest is enough (no salt or slow hash needed) and the
tokens survive a SECRET_KEY rotation. Sent as ``Authorization: Token <token>``.
A token acts as its user with that user's role, and counts as the second
factor (integrations have no phone; practice.access).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from practice.models import ApiToken

PREFIX = "ptk"
MAX_DAYS = 365
# Writing last_used_at on every request would make each API call a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *, user: AbstractBaseUser, name: str, days_valid: int, issued_by: AbstractBaseUser
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never shown again."""
    if not 1 <= days_valid <= MAX_DAYS:
        raise ValueError(f"days_valid must be between 1 and {MAX_DAYS}")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_id=key_id,
        digest=_digest(secret),
        created_by=issued_by,
        expires_at=timezone.now() + timedelta(days=days_valid),
    )
    return token, f"{PREFIX}_{key_id}_{secret}"


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_resolve(raw: str) -> ApiToken | None:
    """The usable token ``raw`` is, or None (malformed, unknown, wrong, expired or revoked)."""
    prefix, _, rest = raw.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    token = ApiToken.objects.select_related("user").filter(key_id=key_id).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if not token.is_usable(now) or not token.user.is_active:
        return None
    _touch(token, now)
    return token


def _touch(token: ApiToken, now) -> None:
    # Conditional: at most one write a minute per token, however busy the integration.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send 'Authorization: Token <token>'.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("This token is not valid.") from None
        token = api_token_resolve(raw)
        if token is None:
            raise AuthenticationFailed("This token is not valid, has expired or was revoked.")
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "practice.api_tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token ptk_…`: a token an owner issued at /staff/api-tokens/.",
        }
