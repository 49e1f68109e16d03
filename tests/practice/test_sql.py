"""practice.sql.prepared_cursor: hot hand-written statements planned once per connection."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.scheduling import selectors
from practice.sql import prepared_cursor
from tests.conftest import requires_postgres
from tests.factories import SessionTypeFactory, TherapistFactory

STATEMENT = "SELECT %s::int + 1 AS prepared_cursor_probe"


def prepared_statements(marker: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{marker}%"],
        )
        return [row[0] for row in cursor.fetchall()]


@requires_postgres
def test_a_statement_run_often_is_prepared_on_the_connection(db):
    for n in range(6):  # psycopg's prepare_threshold is 5
        with prepared_cursor() as cursor:
            cursor.execute(STATEMENT, [n])
            assert cursor.fetchone() == (n + 1,)
    assert len(prepared_statements("prepared_cursor_probe")) == 1


@requires_postgres
def test_a_statement_run_once_is_not_prepared(db):
    """With a connection per request (CONN_MAX_AGE=0) each runs once: preparing would
    only add a round trip."""
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT.replace("probe", "once"), [1])
    assert prepared_statements("prepared_cursor_once") == []


@requires_postgres
def test_the_default_cursor_prepares_nothing(db):
    """The control: what prepared_cursor exists for."""
    for n in range(6):
        with connection.cursor() as cursor:
            cursor.execute(STATEMENT.replace("probe", "control"), [n])
    assert prepared_statements("prepared_cursor_control") == []


@requires_postgres
def test_the_repeated_slots_question_is_planned_once(db):
    session_type = SessionTypeFactory()
    therapist = TherapistFactory(practice=session_type.practice, offers=[session_type])
    for _ in range(6):
        row = selectors.slot_question_row(
            therapist_id=therapist.pk, session_type_id=session_type.pk
        )
        assert row is not None and row.practice_id == session_type.practice_id
    assert len(prepared_statements("booking_availability_version")) == 1


def test_its_queries_are_logged_like_any_other(db):
    """The query budgets see them, with their text, also once prepared."""
    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT 1 + %s", [n])
                assert cursor.fetchone() == (n + 1,)
    assert [q["sql"] for q in queries.captured_queries] == [f"SELECT 1 + {n}" for n in range(3)]
