"""Rate limits for the public endpoints, shared by the API and the HTML pages.

Both use ``RateThrottle``, DRF's ScopedRateThrottle counted in one cache round
trip (Redis in production), with the rates in
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], set from the environment
(RATE_LIMIT_*). Over the limit: 429 with Retry-After.

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

from practice.cache import hit_log_add, hit_log_remove
from practice.selectors import practice_current


def client_address(request) -> str | None:
    """The client's IP address by the rate limits' rule; REMOTE_ADDR if that is no address."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # A proxy chain shorter or longer than NUM_PROXIES says: never store garbage.
        return request.META.get("REMOTE_ADDR")


class RateThrottle(ScopedRateThrottle):
    """DRF's ScopedRateThrottle (the same scopes, rates, sliding log, 429 and wait), its
    log kept where one round trip reads and writes it (``practice.cache.hit_log_add``:
    a sorted set on Redis) instead of DRF's read and write of a pickled list, which
    costs two and lets two requests at once both count as one.
    """

    value = None  # what was under ``and_read``

    def __init__(self, ident: str | None = None):
        super().__init__()
        self.ident = ident  # counted per this instead of per client address

    def get_ident(self, request):
        return self.ident or super().get_ident(request)

    def allow_request(self, request, view, *, and_read: str | None = None):
        """DRF's check; ``and_read``: a cache key whose value the request needs next,
        read in the same round trip (``value``)."""
        self.scope = getattr(view, self.scope_attr, None)
        self.rate = self.get_rate() if self.scope else None
        self.key = None
        if self.rate is not None:
            self.num_requests, self.duration = self.parse_rate(self.rate)
            self.key = self.get_cache_key(request, view)
        if self.key is None:  # not limited here
            self.value = None if and_read is None else self.cache.get(and_read)
            return True
        # Not DRF's key: a log left in DRF's format by an earlier version is another type.
        self.log_key = f"{self.key}:log"
        self.now = self.timer()
        count, oldest, self.hit, self.value = hit_log_add(
            self.cache, self.log_key, self.now, self.duration, and_read
        )
        if count <= self.num_requests:
            return True
        self.forgive()  # a refused request is not counted, as in DRF
        # DRF's wait with the log full: until its oldest entry slides out.
        self._wait = self.duration - (self.now - oldest)
        return False

    def forgive(self) -> None:
        """Take the request just counted back out of the log."""
        if getattr(self, "hit", None) is not None:
            hit_log_remove(self.cache, self.log_key, self.hit, self.duration)
            self.hit = None

    def wait(self):
        return getattr(self, "_wait", None)


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
            throttle = RateThrottle()
            if counted and not throttle.allow_request(request, _Scope(scope)):
                return _too_many_page(request, throttle)
            response = view(request, *args, **kwargs)
            if counted and forgive is not None and forgive(request, response):
                throttle.forgive()
            return response

        return wrapped

    return decorator


def too_many(request, scope: str, *, ident: str | None = None):
    """Count this request in ``scope``, per client address or per ``ident`` (what it is
    about, for a view that knows): None within the limit, else the readable 429 page."""
    throttle = RateThrottle(ident=ident)
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return _too_many_page(request, throttle)


def _too_many_page(request, throttle: RateThrottle):
    wait = math.ceil(throttle.wait() or 60)
    context = {"wait": wait, "practice": practice_current()}
    response = render(request, "too_many_requests.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
