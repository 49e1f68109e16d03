"""The documented backup procedure round-trips through a real pg_dump and pg_restore."""

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from booking.scheduling.services import appointment_book
from tests.conftest import requires_postgres
from tests.factories import ClientFactory
from tests.support.celery_helpers import REPO, database_url

pytestmark = [
    requires_postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore"),
]


def test_a_backup_restores_with_every_row(now, therapist, practice, tmp_path):
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    for day in range(3):
        appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=practice),
            start=start + timedelta(days=day),
        )
    env = os.environ | {"DATABASE_URL": database_url()}
    dump = subprocess.run(  # noqa: S603
        [str(REPO / "bin/backup"), str(tmp_path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(dump).stat().st_size > 0
    check = subprocess.run(  # noqa: S603
        [str(REPO / "bin/restore-check"), dump], env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    counts = dict(line.split() for line in check.stdout.splitlines() if line.count(" ") == 1)
    assert counts["booking_appointment"] == "3"
    assert counts["clients_client"] == "3"
    assert counts["booking_notification"] == str(3 * 3)  # confirmation + 2 email reminders each
    assert "restore ok" in check.stdout
