"""The practice's own questions: checked when published, turned into a form for the client."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from clients.intake.questions import DEFAULT_QUESTIONS, answers_form, missing_required, to_json
from clients.intake.questions import validate_questions as validate


def test_the_default_form_is_valid_and_uses_every_question_type():
    validate(DEFAULT_QUESTIONS)
    assert {q["type"] for q in DEFAULT_QUESTIONS} == {
        "short_text",
        "long_text",
        "single_choice",
        "multiple_choice",
        "yes_no",
        "date",
        "scale",
    }


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], "at least one question"),
        ([{"key": "Bad Key", "type": "short_text", "label": "x"}], "key must be"),
        ([{"key": "a", "type": "essay", "label": "x"}], "type must be"),
        ([{"key": "a", "type": "short_text", "label": " "}], "needs a label"),
        (
            [{"key": "a", "type": "single_choice", "label": "x", "choices": ["one"]}],
            "two different",
        ),
        ([{"key": "a", "type": "scale", "label": "x", "min": 5, "max": 5}], "min < max"),
        (
            [{"key": "a", "type": "short_text", "label": "x"}] * 2,
            "used twice",
        ),
    ],
)
def test_a_broken_definition_is_refused_with_a_reason(questions, message):
    with pytest.raises(ValidationError) as error:
        validate(questions)
    assert message in " ".join(error.value.messages)


def test_answers_round_trip_through_the_form_and_required_ones_are_enforced_only_when_strict():
    data = {
        "reason": "Sleep and stress",
        "previous_therapy": "no",
        "goals": ["Mood", "Work"],
        "wellbeing": "4",
        "last_checkup": "2025-11-02",
    }
    form = answers_form(DEFAULT_QUESTIONS, data=data, strict=True)
    assert form.is_valid(), form.errors
    answers = to_json(form.cleaned_data)
    assert answers == {
        "reason": "Sleep and stress",
        "previous_therapy": False,
        "goals": ["Mood", "Work"],
        "wellbeing": 4,
        "last_checkup": date(2025, 11, 2).isoformat(),
    }
    assert missing_required(DEFAULT_QUESTIONS, answers) == []
    assert not answers_form(DEFAULT_QUESTIONS, data={"reason": "x"}, strict=True).is_valid()
    assert answers_form(DEFAULT_QUESTIONS, data={"reason": "x"}, strict=False).is_valid()
    again = answers_form(DEFAULT_QUESTIONS, initial=answers, strict=True)
    assert again["previous_therapy"].value() == "no" and again["wellbeing"].value() == "4"


def test_a_scale_answer_outside_its_range_is_refused():
    form = answers_form(DEFAULT_QUESTIONS, data={"wellbeing": "11"}, strict=False)
    assert not form.is_valid() and "wellbeing" in form.errors
