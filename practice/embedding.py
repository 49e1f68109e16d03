"""Framing the public booking pages on the practice's own website.

Only the origins the practice lists (``BOOKING_EMBED_ORIGINS`` in the
environment, plus ``Practice.embed_origins``) may frame pages under /book/;
every other page (staff, admin, intake, API) keeps ``frame-ancestors 'none'``
and ``X-Frame-Options: DENY``.

Inside a frame on another site, current Chromium keeps no ordinary cookie
(third-party cookies are blocked; tested in tests/browser/test_embed.py). The
two cookies the booking flow needs, the CSRF token and the browser's hold id,
are therefore sent as partitioned cookies (CHIPS: ``SameSite=None; Secure;
Partitioned``) on requests made inside a frame (``Sec-Fetch-Dest: iframe``):
the browser keeps them for this site *inside that website* only. ``Secure``
needs HTTPS (or a loopback address, which browsers treat as secure).
"""

from http.cookies import Morsel

from django.conf import settings
from django.core.exceptions import ValidationError

from practice.origins import validate_origin
from practice.selectors import practice_current

BOOKING_PREFIX = "/book/"


def embed_origins(practice=None) -> list[str]:
    """The origins allowed to frame the booking pages: the environment's, then the practice's."""
    origins = list(settings.BOOKING_EMBED_ORIGINS)
    for line in (getattr(practice, "embed_origins", "") or "").splitlines():
        try:
            origin = validate_origin(line) if line.strip() else ""
        except ValidationError:
            continue
        if origin and origin not in origins:
            origins.append(origin)
    return origins


class _PartitionedMorsel(Morsel):
    """A cookie written with the ``Partitioned`` attribute (Python 3.11 cannot write it)."""

    def OutputString(self, attrs=None):  # noqa: N802 (Morsel's name)
        return super().OutputString(attrs) + "; Partitioned"


def _partition(response, name: str) -> None:
    old = response.cookies.get(name)
    if old is None or isinstance(old, _PartitionedMorsel):
        return
    new = _PartitionedMorsel()
    new.set(old.key, old.value, old.coded_value)
    new.update({k: v for k, v in old.items() if v})
    new["secure"] = True
    new["samesite"] = "None"
    response.cookies[name] = new


class BookingEmbedMiddleware:
    """Lets the listed origins frame /book/ pages, and keeps the flow's cookies inside the frame.

    Sits between django-csp (which reads ``_csp_replace``) and the CSRF
    middleware (whose cookie it rewrites), so it sees the one and feeds the other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(BOOKING_PREFIX):
            return response
        origins = embed_origins(practice_current())
        if origins:
            response._csp_replace = {"frame-ancestors": origins}
            if response.get("X-Frame-Options"):
                del response["X-Frame-Options"]
        if request.headers.get("Sec-Fetch-Dest") == "iframe":
            for name in (settings.CSRF_COOKIE_NAME, *settings.BOOKING_FRAME_COOKIES):
                _partition(response, name)
        return response
