import os
from datetime import UTC, datetime

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from clients.intake import services as intake_services
from clients.intake.questions import DEFAULT_QUESTIONS
from clients.models import ConsentDocument, ConsentKind, IntakeForm
from tests.factories import ClientFactory, PracticeFactory, SessionTypeFactory, TherapistFactory

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


# Whole files that start a browser, a real Celery worker, a fuzzer, a database
# backup or the compose stack: marked slow here, in one place, so `make test-fast`
# (pytest -m "not slow") is a quick loop and `make test` still runs everything.
SLOW_PATHS = (
    "tests/browser/",
    "tests/booking/test_worker_integration.py",
    "tests/test_api_fuzz.py",
    "tests/test_backup_restore.py",
    "tests/test_compose_stack.py",
)


def pytest_collection_modifyitems(config, items):
    root = config.rootpath
    for item in items:
        path = item.path.relative_to(root).as_posix()
        if path.startswith(SLOW_PATHS):
            item.add_marker(pytest.mark.slow)
