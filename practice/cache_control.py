"""Cache-Control: no-store on every answer except a short list of public routes.

Secure by default, like the API's permissions: a page or API answer may carry
a client's name, session times or clinical answers, so no browser or proxy
keeps a copy unless its route is listed below as public (it shows nothing
about anyone). A new view is covered the day it is added;
tests/practice/test_cache_control.py walks every route to keep it so.
Static files never reach this middleware (whitenoise answers them first).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def _always(request: HttpRequest) -> bool:
    return True


def _without_a_manage_token(request: HttpRequest) -> bool:
    # Rescheduling carries the client's manage token in the query (and its links).
    return "reschedule" not in request.GET


# URL name -> whether this request may be cached (the view's own headers apply).
PUBLIC_ROUTES: dict[str, Callable[[HttpRequest], bool]] = {
    "booking:landing": _always,
    "booking:times": _without_a_manage_token,
    "booking:type-link": _without_a_manage_token,
    "booking:therapist-link": _without_a_manage_token,
    "booking:therapist-type-link": _without_a_manage_token,
    "booking:zones": _always,
    "booking:embed-js": _always,
    # A therapist's photo, shown on the booking pages (a changed photo has a new name).
    "therapist-photo": _always,
    # The subscriber's own calendar app revalidates it (ETag, "private, no-cache").
    "calendar-feed": _always,
    "api:therapists": _always,
    "api:session-types": _always,
    "api:slots": _always,
    "favicon": _always,
    "schema": _always,
    "api-docs": _always,
}


def may_cache(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    rule = PUBLIC_ROUTES.get(match.view_name) if match else None
    return rule is not None and rule(request)


class NoStoreMiddleware:
    """Adds ``Cache-Control: no-store`` unless the route is public (see PUBLIC_ROUTES)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not may_cache(request) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response
