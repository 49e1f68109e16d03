"""Cache-Control: no-store on everything but a short list of public, cacheable routes.

The route walk covers every URL the resolver knows, so a new view is checked
the day it is added: it answers no-store unless someone lists it as public.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from practice.cache_control import PUBLIC_ROUTES
from practice.models import StaffRole
from tests.support.staff import make_staff, sign_in

SAMPLES = {"uuid": "6f1c3a52-8a55-4bd4-9f5c-0e2f7f4d9a11", "int": "1", "path": "x", "str": "x"}
_CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
_REGEX_GROUP = re.compile(r"\(\?P<\w+>([^)]*)\)")


def _sample(pattern) -> str:
    """A path the pattern matches: converters filled in, regex groups by a first choice."""
    text = str(pattern)
    text = _CONVERTER.sub(lambda m: SAMPLES.get(m.group(1) or "str", "x"), text)
    text = _REGEX_GROUP.sub(lambda m: m.group(1).split("|")[0].replace(".*", "x"), text)
    return text.replace("^", "").replace("$", "")


def routes(patterns=None, prefix="", namespace=""):
    """(path, name) for every route the project serves, includes flattened."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from routes(entry.url_patterns, prefix + _sample(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and ":".join(filter(None, [namespace, entry.name]))
            yield "/" + prefix + _sample(entry.pattern), name


ALL_ROUTES = list(routes())
PUBLIC = {
    "booking:landing",
    "booking:times",
    # Booking links (slugs), the zone list and the embed script: nothing personal.
    "booking:type-link",
    "booking:therapist-link",
    "booking:therapist-type-link",
    "booking:zones",
    "booking:embed-js",
    # A therapist's photo (staff, not clients; shown on the booking pages).
    "therapist-photo",
    "calendar-feed",
    "api:therapists",
    "api:session-types",
    "api:slots",
    "schema",
    "api-docs",
    # The page icon: the same bytes for everyone.
    "favicon",
}


def test_the_public_list_is_the_reviewed_one():
    # Adding a route here means deciding it carries nothing personal: update both.
    assert set(PUBLIC_ROUTES) == PUBLIC
    assert {name for _, name in ALL_ROUTES} >= PUBLIC


@pytest.mark.parametrize(
    ("path", "name"),
    [r for r in ALL_ROUTES if r[1] not in PUBLIC],
    ids=[r[0] for r in ALL_ROUTES if r[1] not in PUBLIC],
)
def test_every_other_route_answers_no_store(client, practice, path, name):
    sign_in(client, make_staff(practice, StaffRole.OWNER))
    client.raise_request_exception = False
    for method in (client.get, client.post):
        response = method(path)
        assert "no-store" in response.get("Cache-Control", ""), (method, path, name)


def test_the_walk_reaches_the_personal_routes():
    names = {name for _, name in ALL_ROUTES}
    assert {
        "booking:details",
        "booking:manage",
        "intake-start",
        "staff-client",
        "staff-client-export",
        "staff-api:clinical",
        "api:booking-detail",
        "admin:clients_client_changelist",
    } <= names


def test_public_pages_may_be_cached_but_not_with_a_reschedule_token(client, therapist, now):
    query = {"session_type": therapist.session_types.get().pk}
    assert "no-store" not in client.get("/book/times/", query).get("Cache-Control", "")
    assert "no-store" not in client.get("/book/").get("Cache-Control", "")
    rescheduling = client.get("/book/times/", query | {"reschedule": "a-manage-token"})
    assert rescheduling["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/booking/booking.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
