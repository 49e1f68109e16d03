"""selectors.booking_pair_get: the hand-written read builds what the ORM would."""

from decimal import Decimal

import pytest

from booking.scheduling import selectors
from practice.models import Practice, SessionType, Therapist
from tests.factories import PracticeFactory, SessionTypeFactory, TherapistFactory


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def pair(db):
    session_type = SessionTypeFactory(price=Decimal("95.50"))
    therapist = TherapistFactory(practice=session_type.practice, offers=[session_type])
    return therapist, session_type


def test_every_column_comes_back_as_the_orm_reads_it(pair):
    therapist, session_type = pair
    found = selectors.booking_pair_get(therapist_id=therapist.pk, session_type_id=session_type.pk)
    assert found is not None
    got_therapist, got_type = found
    assert _fields(got_therapist) == _fields(Therapist.objects.get(pk=therapist.pk))
    assert _fields(got_type) == _fields(SessionType.objects.get(pk=session_type.pk))
    practice = Practice.objects.get(pk=therapist.practice_id)
    assert _fields(got_therapist.practice) == _fields(practice)
    assert got_type.practice is got_therapist.practice
    assert got_type.price == Decimal("95.50") and got_type.duration == session_type.duration
    assert got_therapist._state.adding is False and got_therapist._state.db == "default"


def test_the_offer_is_remembered(pair, django_assert_num_queries):
    therapist, session_type = pair
    got_therapist, got_type = selectors.booking_pair_get(
        therapist_id=therapist.pk, session_type_id=session_type.pk
    )
    with django_assert_num_queries(0):
        assert got_therapist.offers(got_type)


@pytest.mark.parametrize("change", ["therapist inactive", "type inactive", "not offered"])
def test_no_pair_unless_both_active_and_offered(pair, change):
    therapist, session_type = pair
    if change == "therapist inactive":
        Therapist.objects.filter(pk=therapist.pk).update(is_active=False)
    elif change == "type inactive":
        SessionType.objects.filter(pk=session_type.pk).update(is_active=False)
    else:
        therapist.session_types.clear()
    assert (
        selectors.booking_pair_get(therapist_id=therapist.pk, session_type_id=session_type.pk)
        is None
    )


def test_no_pair_at_another_practice(db, settings):
    PracticeFactory(slug="here")
    settings.PRACTICE_SLUG = "here"
    session_type = SessionTypeFactory(practice=PracticeFactory(slug="elsewhere"))
    therapist = TherapistFactory(practice=session_type.practice, offers=[session_type])
    assert (
        selectors.booking_pair_get(therapist_id=therapist.pk, session_type_id=session_type.pk)
        is None
    )


@pytest.mark.parametrize("ids", [(0, 1), (1, 0), (2**63, 1), (-5, 1)])
def test_ids_out_of_range_find_nothing(db, ids, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.booking_pair_get(therapist_id=ids[0], session_type_id=ids[1]) is None
