"""Email providers' delivery and bounce webhooks (django-anymail), only behind a secret.

Anymail accepts an unauthenticated webhook when ``ANYMAIL_WEBHOOK_SECRET`` is
unset (it only warns), and a forged "bounce" would mark a client's messages as
undeliverable. So every anymail webhook answers 404 until the secret is set;
with it, anymail checks the provider's basic auth on each request.
"""

from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern


def webhook_secret_set() -> bool:
    return bool((getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"))


def _only_with_secret(view):
    @wraps(view)  # keeps the view's csrf_exempt
    def guarded(request, *args, **kwargs):
        if not webhook_secret_set():
            raise Http404("No webhook is configured here.")
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    URLPattern(p.pattern, _only_with_secret(p.callback), p.default_args, p.name)
    for p in anymail_urls.urlpatterns
]
app_name = anymail_urls.app_name
