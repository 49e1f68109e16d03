import os
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from clients.intake import services as intake_services
from clients.intake.questions import DEFAULT_QUESTIONS
from clients.models import ConsentDocument, ConsentKind, IntakeForm
from tests.factories import ClientFactory, PracticeFactory, SessionTypeFactory, TherapistFactory

pytest_plugins = ["tests.support.redis_trips"]

# CI runs the property tests on a fixed sequence of examples, so a red run repeats.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

requires_postgres = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL (exclusion constraints exist only there): "
    "set DATABASE_URL=postgres://… to run it",
)

# A Monday, 12:00 UTC (07:00 in New York): the fixed "now" of most booking tests.
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (feeds keep rendered events there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def practice(db):
    return PracticeFactory()


@pytest.fixture
def session_type(practice):
    return SessionTypeFactory(practice=practice, name="Individual session")


@pytest.fixture
def therapist(practice, session_type):
    return TherapistFactory(practice=practice, offers=[session_type])


@pytest.fixture
def client_record(practice):
    return ClientFactory(practice=practice)


@pytest.fixture
def intake_practice(practice):
    return intake_switch_on(practice)


def intake_switch_on(practice):
    """The practice with intake on, the default questionnaire and two required consents."""
    practice.intake_enabled = True
    practice.save()
    form = IntakeForm.objects.create(practice=practice, name="Intake")
    intake_services.intake_form_publish(form=form, questions_list=DEFAULT_QUESTIONS)
    for kind, title in [
        (ConsentKind.INFORMED_CONSENT, "Informed consent to treatment"),
        (ConsentKind.PRIVACY_NOTICE, "Privacy notice"),
    ]:
        document = ConsentDocument.objects.create(practice=practice, kind=kind, title=title)
        intake_services.consent_publish(document=document, text=f"The text of the {title}.")
    return practice


# The tests marked slow, in one place, so `make test-fast` (pytest -m "not slow") is a
# sub-minute loop and `make test` still runs everything. Each entry is the start of a
# test id (a folder, a file, or file::test); a "*" stands for any text, so one
# variant of a parametrised test can stay in the fast loop while the rest are slow.
# Chosen by measurement (`pytest -m "not slow" --durations=0`, summed per file):
# every area keeps its quick tests in the fast loop.
SLOW_PATHS = (
    # A browser, a real Celery worker, a fuzzer, a database backup, the compose stack.
    "tests/browser/",
    "tests/booking/test_worker_integration.py",
    "tests/test_api_fuzz.py",
    "tests/test_backup_restore.py",
    "tests/test_compose_stack.py",
    # Real worker and beat processes with a Redis server (6.8 s).
    "tests/practice/test_worker_logs.py",
    # A real SMTP server and worker, retries included (6.1 s).
    "tests/booking/test_smtp_delivery.py",
    # Waits out a connection timeout to an absent broker (4.1 s) or a silent SMTP server (1.2 s).
    "tests/practice/test_health_and_headers.py::test_readyz_is_503_when_the_broker_is_down",
    "tests/booking/test_email_transport.py::test_a_server_that_never_answers_times_out",
    # Every role x every endpoint runs twice (146 cases each, 10 s): the fast loop keeps
    # the plain booking; the variant booked with a known email is slow.
    "tests/clients/test_access_matrix.py::test_role_matrix[*-booked-with-known-email]",
    # Every route of the project for its Cache-Control (262 cases, 6.5 s); the fast
    # loop keeps the file's checks of the list, the walk and the public pages.
    "tests/practice/test_cache_control.py::test_every_other_route_answers_no_store",
)
_SLOW = re.compile("|".join(".*".join(map(re.escape, p.split("*"))) for p in SLOW_PATHS))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _SLOW.match(item.nodeid):
            item.add_marker(pytest.mark.slow)
