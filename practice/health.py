"""Health: is the process alive (/healthz), can it do its work (/readyz)."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from practice.celery import app


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 (any failure means "not ready")
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def check_broker(timeout: float = 2.0) -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def check_cache() -> str:
    """Redis as the cache, asked directly (the app itself fails open to local memory)."""
    from django.core.cache import cache

    ping = getattr(cache, "ping", None)
    if ping is None:
        return "ok"  # a local-memory cache: nothing to reach
    try:
        ping()
    except Exception as exc:  # noqa: BLE001
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def check_encryption() -> str:
    from django.core.exceptions import ImproperlyConfigured

    from practice.crypto import fernet

    try:
        fernet()
    except ImproperlyConfigured:
        return "no valid FIELD_ENCRYPTION_KEYS"
    return "ok"


def checks() -> dict[str, str]:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "encryption": check_encryption(),
    }


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results = checks()
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **results}, status=200 if ready else 503
    )


class HealthCheckMiddleware:
    """Answer GET/HEAD /healthz and /readyz before the host check and the HTTPS redirect.

    A container health check or a load balancer probes ``http://127.0.0.1:8000/healthz``:
    under production settings that host is not in ALLOWED_HOSTS and plain HTTP
    is redirected, so the probe would never see a 200. These two answers hold
    nothing personal and build no link from the Host header, so they need neither.
    Early in MIDDLEWARE; every other path (and /healthz/ with a slash) goes the usual way.
    """

    views = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
