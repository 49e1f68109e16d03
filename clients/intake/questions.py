"""Intake form questions: checking a practice's definition, and building the form a client fills.

A question is a dict::

    {"key": "reason", "type": "long_text", "label": "What brings you here?",
     "help": "", "required": true, "section": "clinical",
     "choices": [...],                       # single_choice / multiple_choice
     "min": 0, "max": 10, "min_label": "", "max_label": ""}   # scale

``section`` is ``admin`` (the front desk may read the answer) or ``clinical``
(the default: only the client's therapists and the owner).
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from clients.models import QuestionType
from practice.parsing import DateField

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
SECTIONS = ("admin", "clinical")


def validate_questions(questions) -> None:
    """Raise ValidationError with every problem in a practice's question list."""
    if not isinstance(questions, list) or not questions:
        raise ValidationError("A form needs a list of at least one question.")
    errors, seen = [], set()
    for number, question in enumerate(questions, start=1):
        where = f"Question {number}"
        if not isinstance(question, dict):
            errors.append(f"{where}: must be an object.")
            continue
        key = question.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            errors.append(f"{where}: key must be lower-case letters, digits and _ (e.g. reason).")
        elif key in seen:
            errors.append(f"{where}: key {key!r} is used twice.")
        seen.add(key)
        if question.get("type") not in QuestionType.values:
            errors.append(f"{where}: type must be one of {', '.join(QuestionType.values)}.")
        if not str(question.get("label", "")).strip():
            errors.append(f"{where}: needs a label.")
        if question.get("section", "clinical") not in SECTIONS:
            errors.append(f"{where}: section must be admin or clinical.")
        if question.get("type") in CHOICE_TYPES:
            choices = question.get("choices")
            if (
                not isinstance(choices, list)
                or len(choices) < 2
                or not all(isinstance(c, str) and c.strip() for c in choices)
                or len(set(choices)) != len(choices)
            ):
                errors.append(f"{where}: needs at least two different choices.")
        if question.get("type") == QuestionType.SCALE:
            low, high = question.get("min", 0), question.get("max", 10)
            if not (isinstance(low, int) and isinstance(high, int) and low < high <= low + 20):
                errors.append(f"{where}: a scale needs whole numbers min < max (at most 20 apart).")
    if errors:
        raise ValidationError(errors)


def is_admin(question: dict) -> bool:
    return question.get("section", "clinical") == "admin"


def _field(question: dict, *, strict: bool) -> forms.Field:
    kind = question["type"]
    common = {
        "label": question["label"],
        "help_text": question.get("help", ""),
        "required": bool(question.get("required")) and strict,
    }
    if kind == QuestionType.SHORT_TEXT:
        return forms.CharField(max_length=300, **common)
    if kind == QuestionType.LONG_TEXT:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == QuestionType.SINGLE_CHOICE:
        choices = [(c, c) for c in question["choices"]]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == QuestionType.MULTIPLE_CHOICE:
        choices = [(c, c) for c in question["choices"]]
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionType.YES_NO:
        return forms.TypedChoiceField(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    if kind == QuestionType.DATE:
        return DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    low, high = question.get("min", 0), question.get("max", 10)
    return forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(low, high + 1)],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        **common,
    )


MISSING = "Please answer this question, or press “Save and finish later” to come back to it."


def answers_form(questions: list[dict], *, data=None, initial=None, strict: bool) -> forms.Form:
    """A Django form for these questions; ``strict`` enforces required answers.

    Each field also says whether its question is required (``marked_required``,
    shown even when saving for later) and, for a scale, what its ends mean.
    """
    form = forms.Form(data=data, initial=_initial(questions, initial or {}))
    for question in questions:
        field = _field(question, strict=strict)
        field.marked_required = bool(question.get("required"))
        field.error_messages["required"] = MISSING
        if question["type"] == QuestionType.SCALE:
            field.scale_ends = (
                (question.get("min", 0), question.get("min_label", "")),
                (question.get("max", 10), question.get("max_label", "")),
            )
        form.fields[question["key"]] = field
    return form


def _initial(questions, answers: dict) -> dict:
    initial = {}
    for question in questions:
        value = answers.get(question["key"])
        if value is None:
            continue
        if question["type"] == QuestionType.YES_NO:
            value = "yes" if value else "no"
        elif question["type"] == QuestionType.SCALE:
            value = str(value)
        initial[question["key"]] = value
    return initial


def to_json(cleaned: dict) -> dict:
    """Form values as JSON-safe answers (dates as ISO strings); blanks dropped."""
    result = {}
    for key, value in cleaned.items():
        if value in (None, "", []):
            continue
        result[key] = value.isoformat() if isinstance(value, date) else value
    return result


def missing_required(questions: list[dict], answers: dict) -> list[str]:
    return [
        q["label"]
        for q in questions
        if q.get("required") and answers.get(q["key"]) in (None, "", [])
    ]


DEFAULT_QUESTIONS = [
    {
        "key": "referral",
        "type": "single_choice",
        "label": "How did you hear about us?",
        "choices": ["A friend or family member", "My doctor", "An online search", "Other"],
        "section": "admin",
    },
    {
        "key": "reason",
        "type": "long_text",
        "label": "What brings you to therapy now?",
        "help": "A few sentences are enough. You can say more in your first session.",
        "required": True,
    },
    {
        "key": "previous_therapy",
        "type": "yes_no",
        "label": "Have you seen a therapist or counsellor before?",
        "required": True,
    },
    {
        "key": "goals",
        "type": "multiple_choice",
        "label": "What would you like to work on?",
        "choices": ["Mood", "Anxiety or stress", "Relationships", "Grief or loss", "Work", "Other"],
    },
    {
        "key": "wellbeing",
        "type": "scale",
        "label": "Overall, how are you doing this week?",
        "min": 0,
        "max": 10,
        "min_label": "Very badly",
        "max_label": "Very well",
        "required": True,
    },
    {"key": "medications", "type": "short_text", "label": "Current medications, if any"},
    {"key": "last_checkup", "type": "date", "label": "Date of your last medical check-up"},
]
