"""What a practice pastes into its website: links, a button, a self-sizing frame, a popup.

``embed.js`` (served here, no third-party code) sizes every booking frame to
its page (the booking pages post their height; booking.js) and opens
``data-booking-popup`` links in a small window. Without it, the frame has a
fixed height and the popup link opens as an ordinary link.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.views.decorators.http import require_GET


def site_origin(request: HttpRequest | None = None) -> str:
    """This booking site's origin, as the practice's website reaches it."""
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return settings.SITE_URL


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    body = render_to_string("booking/embed.js", {"origin": site_origin(request)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


def snippets(*, origin: str, path: str, ref: str = "", label: str = "Book a session") -> dict:
    """The four ways to put one booking link on a website, as HTML to copy."""
    url = origin + path + (f"?ref={ref}" if ref else "")
    script = origin + reverse("booking:embed-js")
    link, text = escape(url), escape(label)
    return {
        "url": url,
        "button": f'<a href="{link}" class="book-button">{text}</a>',
        "iframe": (
            f'<iframe src="{link}" title="{text}" data-booking-embed '
            'style="width:100%;border:0;min-height:640px" loading="lazy"></iframe>\n'
            f'<script src="{escape(script)}" async></script>'
        ),
        "popup": (
            f'<a href="{link}" data-booking-popup>{text}</a>\n'
            f'<script src="{escape(script)}" async></script>'
        ),
    }
