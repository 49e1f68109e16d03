"""The landing page offers a therapist only with the session types they give."""

import re

from tests.factories import SessionTypeFactory, TherapistFactory


def test_each_therapist_carries_the_session_types_they_give(client, practice, therapist):
    couples = SessionTypeFactory(practice=practice, name="Couples session")
    only_couples = TherapistFactory(practice=practice, offers=[couples], display_name="Priya")
    text = client.get("/book/").content.decode()
    individual = therapist.session_types.get()
    for who, gives in ((therapist, individual), (only_couples, couples)):
        card = re.search(
            rf'data-offers="([^"]*)">\s*<input type="radio" name="therapist" '
            rf'id="th-{who.pk}" value="{who.pk}"',
            text,
        )
        assert card and card.group(1) == str(gives.pk)


def test_a_therapist_who_does_not_give_the_session_type_leads_to_those_who_do(
    client, now, practice, therapist
):
    couples = SessionTypeFactory(practice=practice, name="Couples session")
    priya = TherapistFactory(practice=practice, offers=[couples], display_name="Priya Raman")
    query = {"session_type": therapist.session_types.get().pk, "therapist": priya.pk}
    page = client.get("/book/times/", query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Priya Raman does not offer" in text and 'class="slot"' in text


def test_a_therapists_modes_are_what_their_session_types_allow(client, practice, therapist):
    """Said "in person" in the profile but offers only video sessions: the card says Video."""
    from practice.models import Modality

    video = SessionTypeFactory(
        practice=practice, name="Free consultation", modality=Modality.TELEHEALTH
    )
    TherapistFactory(
        practice=practice,
        offers=[video],
        display_name="Priya",
        sees_in_person=True,
        sees_by_video=False,
    )
    both = SessionTypeFactory(practice=practice, name="Intake", modality=Modality.TELEHEALTH)
    therapist.session_types.add(both)
    therapist.sees_in_person, therapist.sees_by_video = True, True
    therapist.save()
    text = client.get("/book/").content.decode()

    def card(name):
        start = text.index(f">{name}<")
        return text[start : start + 400]

    assert "Video" in card("Priya") and "In person" not in card("Priya")
    assert "In person · Video" in card(therapist.display_name)
