"""Query budgets of a public booking (issue #21), on SQLite and PostgreSQL alike.

Counted like every budget in the suite: the request inside the test's
transaction, so the API's own transaction adds no statement and what runs
after COMMIT (claiming the "confirm your email" message for the workers) is
not part of it; ``test_the_whole_request_as_production_runs_it`` counts that
too. ``PRINT_SQL=1 pytest tests/booking/test_query_budgets.py -s`` prints the
statements of each case (docs/performance.md, "Side by side").
"""

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from booking.models import Appointment, AppointmentEvent, Notification
from booking.scheduling.services import appointment_book
from clients.models import Client
from tests.booking.test_api import TUESDAY_10, booking_payload
from tests.factories import ClientFactory

NEW_CLIENT_BUDGET = 10
REFUSED_BUDGET = 2
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def api():
    return APIClient()


def _post(api, therapist, *, email="robin@example.com", start=TUESDAY_10):
    payload = booking_payload(therapist, start=start)
    payload["client"]["email"] = email
    with CaptureQueriesContext(connection) as captured:
        response = api.post("/api/v1/bookings/", payload, format="json")
    statements = [q["sql"] for q in captured.captured_queries]
    if os.environ.get("PRINT_SQL"):
        print(f"\n--- {response.status_code}: {len(statements)} statements")
        for sql in statements:
            print("  ", sql[:160])
    return response, statements


def _writes(statements):
    return [sql for sql in statements if sql.lstrip().upper().startswith(WRITES)]


def _rows():
    return tuple(m.objects.count() for m in (Client, Appointment, Notification, AppointmentEvent))


def test_a_new_clients_booking_costs_at_most_10_queries(
    api, now, therapist, django_assert_max_num_queries
):
    payload = booking_payload(therapist)
    with django_assert_max_num_queries(NEW_CLIENT_BUDGET):
        response = api.post("/api/v1/bookings/", payload, format="json")
    assert response.status_code == 201
    assert Notification.objects.count() == 1  # "confirm your email", in the same transaction
    assert AppointmentEvent.objects.count() == 1


def test_a_returning_client_costs_no_more_than_a_new_one(api, now, therapist, practice):
    returning = ClientFactory(practice=practice, email="robin@example.com")
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=returning,
        start=TUESDAY_10 + timedelta(days=1),
    )
    new_response, new_statements = _post(api, therapist, email="someone.new@example.com")
    assert new_response.status_code == 201
    response, statements = _post(
        api, therapist, email="robin@example.com", start=TUESDAY_10 + timedelta(hours=2)
    )
    assert response.status_code == 201
    assert len(statements) <= len(new_statements) <= NEW_CLIENT_BUDGET


def test_a_refused_booking_costs_at_most_2_queries_and_writes_nothing(
    api, now, therapist, django_assert_max_num_queries
):
    assert _post(api, therapist)[0].status_code == 201
    before = _rows()
    payload = booking_payload(therapist)
    payload["client"]["email"] = "sam@example.com"
    with django_assert_max_num_queries(REFUSED_BUDGET):
        response = api.post("/api/v1/bookings/", payload, format="json")
    assert response.status_code == 409
    response, statements = _post(api, therapist, email="sam@example.com")
    assert response.status_code == 409
    assert _writes(statements) == []
    assert _rows() == before
    assert not Client.objects.filter(email="sam@example.com").exists()


def test_a_time_not_offered_writes_nothing_either(api, now, therapist):
    before = _rows()
    response, statements = _post(api, therapist, start=TUESDAY_10.replace(hour=3))
    assert response.status_code == 409
    assert _writes(statements) == []
    assert _rows() == before


@pytest.mark.django_db(transaction=True)
def test_the_whole_request_as_production_runs_it(api, now, therapist, monkeypatch):
    """Outside a test transaction: a booking adds its BEGIN and COMMIT and, after COMMIT,
    the one claim of its message for the workers (handed to no worker here); a refusal
    opens no transaction at all."""
    from booking.notify import tasks

    enqueued = []
    monkeypatch.setattr(tasks, "notifications_enqueue", enqueued.append)
    response, statements = _post(api, therapist)
    assert response.status_code == 201
    assert len(enqueued) == 1
    transaction_statements = 2  # BEGIN (IMMEDIATE on SQLite) and COMMIT or ROLLBACK
    assert len(statements) <= NEW_CLIENT_BUDGET + transaction_statements + 1

    before = _rows()
    refused, statements = _post(api, therapist, email="sam@example.com")
    assert refused.status_code == 409
    assert _writes(statements) == []
    assert len(statements) <= REFUSED_BUDGET  # refused before any transaction opens
    assert _rows() == before
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_with_no_practice_set_up_any_booking_is_a_404_even_a_malformed_one(api):
    """The practice is read inside the therapist's query; without one the answer is
    still the 404 it was when it was read first, whatever the body."""
    for body in ({}, {"therapist": 1, "session_type": 1, "start": "x"}):
        response = api.post("/api/v1/bookings/", body, format="json")
        assert response.status_code == 404, body
