"""Rate limits for the public endpoints, shared by the API and the HTML pages.

Both use DRF's ScopedRateThrottle (cache-backed: Redis in production), with
the rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], set from the
environment (RATE_LIMIT_*). Over the limit: 429 with Retry-After.
"""

import math
from functools import wraps

from django.shortcuts import render
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle


class _Scope:
    def __init__(self, scope: str):
        self.throttle_scope = scope


def rate_limited(scope: str):
    """Decorate an HTML view: over the limit, a readable 429 page with Retry-After."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            throttle = ScopedRateThrottle()
            if not throttle.allow_request(request, _Scope(scope)):
                wait = math.ceil(throttle.wait() or 60)
                response = render(request, "too_many_requests.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def client_address(request) -> str:
    """The client's address by the rate limits' rule (REST_FRAMEWORK["NUM_PROXIES"])."""
    return BaseThrottle().get_ident(request)
