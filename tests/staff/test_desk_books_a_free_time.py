"""The front desk's finder books: each free time leads to the client list with a
"Book this time" button per client, which goes through book on behalf's checks; and
the manual book form offers "whoever is free"."""

import re
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

from booking.models import Appointment
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.support.staff import sign_in

NEW_YORK = ZoneInfo("America/New_York")


def test_a_free_time_on_the_desk_books_for_the_client_chosen(client, team, therapist, now):
    ines = ClientFactory(practice=therapist.practice, first_name="Ines", last_name="Deskbook")
    kind = therapist.session_types.get()
    sign_in(client, team["receptionist"])
    page = client.get(
        "/staff/desk/", {"date": "2026-03-05", "session_type": kind.pk, "find": "1"}
    ).content.decode()
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" data-testid="book-free">', page)]
    # Both work 09:00-17:00 New York: the first free time is Thursday 09:00 EST = 14:00 UTC.
    first = next(h for h in links if f"book={therapist.pk}%7C" in h)
    listing = client.get(first + "&q=Deskbook").content.decode()
    assert "Booking" in listing and "Thursday 5 March" in listing and "09:00" in listing
    value = re.search(r'name="quick_start" value="([^"]+)"', listing).group(1)
    tid, _, iso = unescape(value).partition("|")
    assert int(tid) == therapist.pk
    assert datetime.fromisoformat(iso) == datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    book = re.search(r'<form method="post" action="([^"]+)">', listing).group(1)
    assert ines.public_id.hex in book.replace("-", "")
    answer = client.post(book, {"quick_start": unescape(value), "quick_type": kind.pk})
    assert answer.status_code == 302
    booked = Appointment.objects.get(client=ines)
    assert booked.therapist == therapist
    assert booked.start == datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def test_the_desk_time_asks_first_when_the_client_has_a_session_that_week(
    client, team, therapist, now
):
    ines = ClientFactory(practice=therapist.practice)
    kind = therapist.session_types.get()
    appointment_book(
        therapist=therapist,
        session_type=kind,
        client=ines,
        start=datetime(2026, 3, 6, 10, tzinfo=NEW_YORK),
    )
    sign_in(client, team["receptionist"])
    start = datetime(2026, 3, 5, 9, tzinfo=NEW_YORK).isoformat()
    answer = client.post(
        f"/staff/clients/{ines.public_id}/book/",
        {"quick_start": f"{therapist.pk}|{start}", "quick_type": kind.pk},
    )
    assert answer.status_code == 200
    assert 'data-testid="quick-check"' in answer.content.decode()
    assert Appointment.objects.filter(client=ines).count() == 1


def test_a_made_up_desk_time_offers_no_booking(client, team, therapist, now):
    sign_in(client, team["receptionist"])
    page = client.get("/staff/clients/", {"book": "999|not-a-time", "book_type": "x"})
    assert page.status_code == 200
    assert "quick_start" not in page.content.decode()


def test_whoever_is_free_on_the_manual_form_books_the_one_who_is(client, team, therapist, now):
    colleague = team["colleague_record"]
    kind = therapist.session_types.get()
    # Thursday 10:00 New York: the therapist is busy, the colleague free.
    appointment_book(
        therapist=therapist,
        session_type=kind,
        client=ClientFactory(practice=therapist.practice),
        start=datetime(2026, 3, 5, 10, tzinfo=NEW_YORK),
    )
    ines = ClientFactory(practice=therapist.practice)
    sign_in(client, team["receptionist"])
    url = f"/staff/clients/{ines.public_id}/book/"
    assert '<option value="" selected>Whoever is free</option>' in client.get(url).content.decode()
    fields = {"session_type": kind.pk, "therapist": "", "date": "2026-03-05", "time": "10:00"}
    check = client.post(url, fields | {"step": "check"})
    assert check.status_code == 200
    assert "with Colleague" in check.content.decode()
    assert client.post(url, fields | {"step": "book"}).status_code == 302
    booked = Appointment.objects.get(client=ines)
    assert booked.therapist == colleague
    assert booked.start == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def test_whoever_is_free_when_nobody_is_says_so(client, team, therapist, now):
    ines = ClientFactory(practice=therapist.practice)
    sign_in(client, team["receptionist"])
    answer = client.post(
        f"/staff/clients/{ines.public_id}/book/",
        {
            "session_type": therapist.session_types.get().pk,
            "therapist": "",
            "date": "2026-03-05",
            "time": "20:00",
            "step": "check",
        },
    )
    assert answer.status_code == 400
    assert "Nobody who gives this session type is free then" in answer.content.decode()
    assert not Appointment.objects.filter(client=ines).exists()
