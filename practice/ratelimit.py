"""Rate limits for the public endpoints, shared by the API and the HTML pages.

Both use DRF's ScopedRateThrottle (cache-backed: Redis in production), with
the rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], set from the
environment (RATE_LIMIT_*). Over the limit: 429 with Retry-After.

The client's address is DRF's rule: behind NUM_PROXIES trusted proxies, the
NUM_PROXIES-th entry from the right of X-Forwarded-For (entries further left
are the client's own claims); with none, REMOTE_ADDR. ``client_address`` is
that rule for everything else that counts by address (django-axes' lockout).
"""

import ipaddress
import math
from functools import wraps

from django.shortcuts import render
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from practice.selectors import practice_current


def client_address(request) -> str | None:
    """The client's IP address by the rate limits' rule; REMOTE_ADDR if that is no address."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # A proxy chain shorter or longer than NUM_PROXIES says: never store garbage.
        return request.META.get("REMOTE_ADDR")


class _Scope:
    def __init__(self, scope: str):
        self.throttle_scope = scope


def rate_limited(scope: str, *, methods: tuple[str, ...] | None = None, forgive=None):
    """Decorate an HTML view: over the limit, a readable 429 page with Retry-After.

    ``methods``: count only these (e.g. the POSTs of a sign-in form); default all.
    ``forgive(request, response)``: true when the attempt should not count after all
    (a sign-in that succeeded: only failures use up an address's allowance).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            counted = methods is None or request.method in methods
            throttle = ScopedRateThrottle()
            if counted and not throttle.allow_request(request, _Scope(scope)):
                wait = math.ceil(throttle.wait() or 60)
                context = {"wait": wait, "practice": practice_current()}
                response = render(request, "too_many_requests.html", context, status=429)
                response["Retry-After"] = str(wait)
                return response
            response = view(request, *args, **kwargs)
            if counted and forgive is not None and throttle.history and forgive(request, response):
                # allow_request put this attempt first in the history: take it back out.
                throttle.history.pop(0)
                throttle.cache.set(throttle.key, throttle.history, throttle.duration)
            return response

        return wrapped

    return decorator
