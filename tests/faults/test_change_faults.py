"""Cancelling and moving when the database connection dies during the COMMIT.

Every way a session is cancelled or moved (the client's manage pages, the
public API, the staff pages, the staff API) runs through a TCP proxy in front
of PostgreSQL that cuts the connection at the change's COMMIT: either before
passing it on (nothing landed) or after the server committed (the change
landed, the answer never came back). The client must get the true answer: the
change when it landed, a 503 "nothing was changed" (with Retry-After) when it
did not, never a 500. Then the reminders fall due: each message exactly once
at a real SMTP server, none to a cancelled session, a moved session's at its
new time only.
"""

import json
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from booking.models import AppointmentStatus, Notification, NotificationKind, NotificationState
from booking.scheduling.selectors import manage_token
from practice.dbfaults import reset_connection
from practice.models import StaffRole
from tests.conftest import IS_POSTGRES
from tests.faults.test_faults import book_many, free_starts, scan_until_settled
from tests.support.pg_proxy import PgProxy
from tests.support.staff import make_staff, sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not IS_POSTGRES,
        reason="fault tests need PostgreSQL (a proxy cuts its COMMIT): set DATABASE_URL=postgres://…",
    ),
]
S = NotificationState
CHANGES = [
    (where, what)
    for where in ("client page", "public API", "staff page", "staff API")
    for what in ("cancel", "move")
]


@pytest.fixture
def proxied_database():
    """The app's connections go through the proxy from here on (the test's too)."""
    db = connection.settings_dict
    proxy = PgProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    saved = db["HOST"], db["PORT"], dict(db["OPTIONS"])
    db["HOST"], db["PORT"] = "127.0.0.1", proxy.port
    db["OPTIONS"]["sslmode"] = "disable"  # the proxy reads the COMMIT off the wire
    reset_connection()
    yield proxy
    db["HOST"], db["PORT"] = saved[0], saved[1]
    db["OPTIONS"].clear()
    db["OPTIONS"].update(saved[2])
    reset_connection()
    proxy.stop()


def change(client, staff, where, what, appointment, start):
    """One cancel or move, the way each kind of caller sends it."""
    token, pid, start = manage_token(appointment), appointment.public_id, start.isoformat()
    if where == "client page":
        return client.post(
            f"/book/manage/{token}/{'cancel' if what == 'cancel' else 'reschedule'}/",
            {} if what == "cancel" else {"start": start},
        )
    if where == "public API":
        path = f"/api/v1/bookings/{token}/{'cancel' if what == 'cancel' else 'reschedule'}/"
        body = {} if what == "cancel" else {"start": start}
        return client.post(path, json.dumps(body), content_type="application/json")
    if where == "staff page":
        action = "cancel" if what == "cancel" else "reschedule"
        return staff.post(
            f"/staff/appointments/{pid}/{action}/", {} if what == "cancel" else {"start": start}
        )
    if what == "cancel":
        return staff.post(
            f"/api/v1/staff/appointments/{pid}/cancel/", {}, content_type="application/json"
        )
    return staff.patch(
        f"/api/v1/staff/appointments/{pid}/",
        json.dumps({"start": start}),
        content_type="application/json",
    )


def landed(appointment, what, start) -> bool:
    appointment.refresh_from_db()
    if what == "cancel":
        return appointment.status == AppointmentStatus.CANCELLED
    return appointment.start == start


def when_short(start) -> str:
    """The subject's "Thu 5 Mar at 10:00 EST", worked out here (clients read New York time)."""
    local = start.astimezone(ZoneInfo("America/New_York"))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} {local.tzname()}"


def test_a_change_whose_commit_is_cut_answers_what_really_happened(
    smtp, therapist, practice, client, proxied_database
):
    staff = sign_in(type(client)(), make_staff(practice, StaffRole.RECEPTIONIST))
    starts = free_starts(therapist, 2 * 2 * len(CHANGES))
    cases = [(where, what, when) for where, what in CHANGES for when in ("before", "after")]
    sessions = book_many(therapist, practice, len(cases))  # confirmations sent (eager)
    targets = starts[len(cases) :]
    assert len(targets) == len(cases)
    answers = []
    for (where, what, when), session, target in zip(cases, sessions, targets, strict=True):
        proxied_database.cut_next_commit(when)
        response = change(client, staff, where, what, session, target)
        assert not proxied_database.armed, f"{where} {what}: no COMMIT was cut"
        answers.append((where, what, when, response.status_code))
        if when == "after":  # it landed: the answer says so
            assert response.status_code in (200, 302), (where, what, response.content[:300])
            assert landed(session, what, target), (where, what)
        else:  # it did not: 503 "nothing was changed", and trying again works
            assert response.status_code == 503, (where, what, response.content[:300])
            assert response["Retry-After"] == "30"
            assert "nothing was changed" in response.content.decode()
            assert not landed(session, what, target), (where, what)
            again = change(client, staff, where, what, session, target)
            assert again.status_code in (200, 302), (where, what, again.content[:300])
            assert landed(session, what, target)
    assert proxied_database.cuts == [when for _, _, when in cases]

    # Time passes: every reminder falls due, and so do the staff changes' notices (which
    # wait for the undo window); beat's scanner sends what waits.
    Notification.objects.filter(
        kind__in=[
            NotificationKind.REMINDER,
            NotificationKind.CANCELLATION,
            NotificationKind.UPDATE,
        ],
        state=S.SCHEDULED,
    ).update(due_at=timezone.now())
    every = list(Notification.objects.values_list("pk", flat=True))
    scan_until_settled(every)

    counts = Counter(smtp.notification_ids())
    assert set(counts.values()) == {1}, counts
    by_subject = {m["Message-ID"]: m["Subject"] for m in smtp.messages}
    for (_, what, _), session, target in zip(cases, sessions, targets, strict=True):
        sent = Notification.objects.filter(appointment=session, pk__in=counts)
        kinds = Counter(sent.values_list("kind", flat=True))
        if what == "cancel":
            assert kinds == {NotificationKind.CONFIRMATION: 1, NotificationKind.CANCELLATION: 1}
            continue
        assert kinds == {
            NotificationKind.CONFIRMATION: 1,
            NotificationKind.UPDATE: 1,
            NotificationKind.REMINDER: 2,
        }
        for reminder in sent.filter(kind=NotificationKind.REMINDER):
            assert by_subject[reminder.provider_message_id].endswith(when_short(target))
    print(
        f"\n(e) {len(cases)} cancels and moves with their COMMIT cut (client pages, public API, "
        f"staff pages, staff API; half before the server had it, half after it committed): "
        f"{Counter(a[3] for a in answers)}; each landed change answered as made, each lost one "
        f"503 then made on the retry; {sum(counts.values())} emails, each exactly once"
    )
