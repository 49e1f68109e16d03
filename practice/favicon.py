"""/favicon.ico: browsers ask for it on every site, whatever the page links."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

ICON = settings.BASE_DIR / "static" / "booking" / "favicon.ico"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_icon(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=7 * 24 * 60 * 60)
    return response
