"""Intake answers and screener results are unreadable in the database without the key."""

import json

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from clients.intake.services import intake_save_answers, intake_save_screeners, intake_submit
from clients.models import Intake, ScreenerResult
from tests.clients.test_intake_flow import complete_everything

SECRET_ANSWER = "I have been struggling since the move to Tacoma"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def submitted(booked):
    intake = Intake.objects.get(client=booked.client)
    complete_everything(intake, reason=SECRET_ANSWER)
    intake_submit(intake=intake)
    return Intake.objects.get(pk=intake.pk)


def test_a_raw_read_of_the_tables_shows_no_answer_or_score(submitted):
    stored = raw("clients_intake", "answers", submitted.pk)
    assert SECRET_ANSWER not in stored and "Tacoma" not in stored and "reason" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert submitted.answers["form"]["reason"] == SECRET_ANSWER
    for result in ScreenerResult.objects.filter(client=submitted.client):
        token = raw("clients_screenerresult", "result", result.pk)
        assert "score" not in token and "band" not in token and "minimal" not in token
        assert result.result["score"] == sum(result.result["items"])


def test_a_database_dump_reveals_no_answer(submitted, capsys):
    call_command("dumpdata", "clients", stdout=None)
    dumped = capsys.readouterr().out
    assert dumped and SECRET_ANSWER not in dumped and "Tacoma" not in dumped
    assert "gAAAAA" in dumped


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_then_go(submitted, settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    before = raw("clients_intake", "answers", submitted.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *old_keys]):
        call_command("rotate_field_encryption", stdout=None)
        after = raw("clients_intake", "answers", submitted.pk)
        assert after != before
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert Intake.objects.get(pk=submitted.pk).answers["form"]["reason"] == SECRET_ANSWER
        assert all(r.result["band"] for r in ScreenerResult.objects.all())
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=old_keys),
        pytest.raises(ImproperlyConfigured, match="cannot be read"),
    ):
        Intake.objects.get(pk=submitted.pk)


def test_encrypted_fields_cannot_be_searched_by_content(submitted):
    with pytest.raises(TypeError, match="encrypted"):
        Intake.objects.filter(answers__contains="Tacoma").exists()


def test_partial_answers_are_encrypted_too(booked):
    intake = Intake.objects.get(client=booked.client)
    intake_save_answers(intake=intake, answers={"reason": SECRET_ANSWER})
    intake_save_screeners(intake=intake, phq9=[2] + [None] * 8, gad7=[None] * 7)
    stored = raw("clients_intake", "answers", intake.pk)
    assert SECRET_ANSWER not in stored and "phq9" not in stored
    assert (
        json.dumps(Intake.objects.get(pk=intake.pk).answers["phq9"])
        == "[2, null, null, null, null, null, null, null, null]"
    )
