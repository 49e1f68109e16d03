"""What sending a message costs the worker (issue 21: 10,000 reminders in a minute on two
cores): nothing compiled or worked out per message that need not be, and the statements
written once per process still do exactly what the ORM's updates did."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db.models.sql.compiler import SQLUpdateCompiler
from django.utils import timezone

from booking.feeds import calendar_links
from booking.models import Notification, NotificationKind, NotificationState
from booking.notify import dispatch, messages
from booking.notify.dispatch import notifications_send_batch
from practice import phones
from tests.booking.test_notification_batches import claimed

pytestmark = pytest.mark.django_db
S = NotificationState


def test_a_batch_compiles_no_update_for_each_message(therapist, practice):
    ids = claimed(therapist, practice, 3)
    compiled = []
    real = SQLUpdateCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return real(self, *args, **kwargs)

    with mock.patch.object(SQLUpdateCompiler, "as_sql", counting):
        outcomes = notifications_send_batch(notification_ids=ids)
    assert outcomes == dict.fromkeys(ids, "sent")
    assert len(mail.outbox) == 9
    assert compiled == []  # each start and each "sent": a statement written once per process


def test_the_start_is_won_once_and_repeated_only_by_its_own_winner(therapist, practice):
    pk = claimed(therapist, practice, 1)[0]
    row = Notification.objects.get(pk=pk)
    at, later = timezone.now(), timezone.now() + timedelta(seconds=1)
    assert dispatch._mark_started(row, at)
    assert dispatch._mark_started(row, at)  # a repeat after a lost COMMIT answer
    assert not dispatch._mark_started(row, later)  # another delivery
    row.refresh_from_db()
    assert (row.state, row.attempts, row.send_started_at) == (S.SENDING, 1, at)


def test_acceptance_is_recorded_once_with_its_time_and_id(therapist, practice):
    pk = claimed(therapist, practice, 1)[0]
    at = timezone.now()
    record = dict(notification_id=pk, provider_id="<1.n1@example.org>", accepted_at=at)
    assert dispatch.notification_record_acceptance(**record)
    assert not dispatch.notification_record_acceptance(**record | {"provider_id": "other"})
    row = Notification.objects.get(pk=pk)
    assert (row.state, row.sent_at, row.provider_accepted_at) == (S.SENT, at, at)
    assert row.provider_message_id == "<1.n1@example.org>"


def test_a_reminder_works_out_no_calendar_links_and_a_confirmation_each_once(
    therapist, practice, monkeypatch
):
    calls = []
    for name in ("google", "outlook"):
        real = getattr(calendar_links, name)
        monkeypatch.setattr(
            calendar_links, name, lambda a, real=real, name=name: calls.append(name) or real(a)
        )
    claimed(therapist, practice, 1)
    rows = {n.kind: n for n in Notification.objects.select_related("appointment")}
    now = timezone.now()

    messages.build_email(rows[NotificationKind.REMINDER], now=now)
    assert calls == []

    email = messages.build_email(rows[NotificationKind.CONFIRMATION], now=now)
    assert sorted(calls) == ["google", "outlook"]  # the text and the HTML part share them
    assert "calendar.google.com" in email.body and "calendar.google.com" in email.alternatives[0][0]


def test_a_practice_number_is_read_once_for_all_its_links(monkeypatch):
    phones.tel_href.cache_clear()
    parse = mock.Mock(wraps=phones.phonenumbers.parse)
    monkeypatch.setattr(phones.phonenumbers, "parse", parse)
    links = {phones.tel_link("+1 212 555 0100", "US") for _ in range(3)}
    assert links == {'<a href="tel:+12125550100">+1 212 555 0100</a>'}
    assert parse.call_count == 1
