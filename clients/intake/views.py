"""The client's intake pages, opened from the signed link in their email.

Four steps, each saved as it is posted ("Save and come back later" keeps
partial answers without checking required ones), then one submit. A positive
PHQ-9 item 9 shows crisis resources on the spot and alerts the clinician.
"""

from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clients.audit import audit, client_ip
from clients.forms import AboutYouForm
from clients.intake import questions, screeners
from clients.intake import services as intake_services
from clients.intake.tokens import intake_from_token
from clients.models import AuditAction, Intake, SafetyAlert
from practice.parsing import int_or_none
from practice.ratelimit import rate_limited
from practice.selectors import practice_current

STEPS = [
    ("about", "Your details"),
    ("questions", "Questionnaire"),
    ("wellbeing", "How you have been"),
    ("consent", "Consent"),
]


def link_invalid(request: HttpRequest, *, expired: bool = False, **kwargs) -> HttpResponse:
    """ "This link is incomplete or has expired", and how to get a new one: a 404.

    Rendered, never raised as Http404, so the demo (DEBUG on) shows it too.
    """
    context = {"expired": expired, "practice": practice_current()}
    return render(request, "intake/invalid.html", context, status=404)


def intake_view(view):
    """Open the intake a link's token names (or answer 404 in words), rate-limited, never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        intake, reason = intake_from_token(token)
        if intake is None:
            return link_invalid(request, expired=reason == "expired")
        if request.method == "GET":
            # Whoever opens a link is on record: the client, or a signed-in staff member.
            audit(request, action=AuditAction.VIEW, what="intake", client=intake.client, via="link")
        return view(request, token, intake)

    return never_cache(rate_limited("intake")(wrapped))


def _done(intake: Intake) -> dict:
    answers = intake.answers or {}
    form_done = intake.form_version is None or not questions.missing_required(
        intake.form_version.questions, answers.get("form", {})
    )
    wellbeing_done = all(
        len(answers.get(s.code) or []) == len(s.items)
        and all(i in (0, 1, 2, 3) for i in answers.get(s.code))
        for s in screeners.MEASURES.values()
    )
    return {
        "about": bool(answers.get("about_done")),
        "questions": bool(answers.get("form")) and form_done,
        "wellbeing": wellbeing_done,
        "consent": intake_services.consents_complete(intake.client),
    }


def _context(intake: Intake, token: str, current: str, **extra) -> dict:
    done = _done(intake)
    return {
        "intake": intake,
        "token": token,
        "practice": intake.practice,
        "steps": [
            {"key": key, "label": label, "done": done[key], "current": key == current}
            for key, label in STEPS
        ],
        "show_crisis": SafetyAlert.objects.filter(intake=intake).exists(),
        "read_only": intake.is_complete,
        **extra,
    }


def _after_save(request, token: str, step: str) -> HttpResponse:
    if request.POST.get("action") == "later":
        return redirect("intake-start", token)
    following = [key for key, _ in STEPS]
    index = following.index(step)
    if index + 1 < len(following):
        return redirect(f"intake-{following[index + 1]}", token)
    return redirect("intake-start", token)


@intake_view
def start(request: HttpRequest, token: str, intake: Intake) -> HttpResponse:
    context = _context(intake, token, "", missing=intake_services.intake_missing(intake))
    return render(request, "intake/start.html", context)


@intake_view
@require_http_methods(["GET", "POST"])
def about(request: HttpRequest, token: str, intake: Intake) -> HttpResponse:
    strict = request.POST.get("action") != "later"
    form = AboutYouForm(request.POST or None, instance=intake.client, strict=strict)
    if request.method == "POST" and not intake.is_complete and form.is_valid():
        intake_services.intake_save_about(
            intake=intake, details={f: form.cleaned_data[f] for f in form.fields}
        )
        return _after_save(request, token, "about")
    return render(
        request,
        "intake/about.html",
        _context(intake, token, "about", form=form),
        status=400 if form.errors else 200,
    )


@intake_view
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str, intake: Intake) -> HttpResponse:
    question_list = intake.form_version.questions if intake.form_version else []
    strict = request.POST.get("action") != "later"
    form = questions.answers_form(
        question_list,
        data=request.POST or None,
        initial=(intake.answers or {}).get("form", {}),
        strict=strict,
    )
    if request.method == "POST" and not intake.is_complete and form.is_valid():
        intake_services.intake_save_answers(
            intake=intake, answers=questions.to_json(form.cleaned_data)
        )
        return _after_save(request, token, "questions")
    return render(
        request,
        "intake/questions.html",
        _context(intake, token, "questions", form=form, has_questions=bool(question_list)),
        status=400 if form.errors else 200,
    )


def _items_from(post, spec) -> list:
    items = []
    for index in range(len(spec.items)):
        value = post.get(f"{spec.code}_{index}", "")
        items.append(int(value) if value in ("0", "1", "2", "3") else None)
    return items


@intake_view
@require_http_methods(["GET", "POST"])
def wellbeing(request: HttpRequest, token: str, intake: Intake) -> HttpResponse:
    stored = intake.answers or {}
    values = {
        spec.code: stored.get(spec.code) or [None] * len(spec.items)
        for spec in screeners.MEASURES.values()
    }
    errors = []
    status = 200
    if request.method == "POST" and not intake.is_complete:
        values = {
            spec.code: _items_from(request.POST, spec) for spec in screeners.MEASURES.values()
        }
        alert = intake_services.intake_save_screeners(
            intake=intake, phq9=values["phq9"], gad7=values["gad7"]
        )
        unanswered = [
            spec.title for spec in screeners.MEASURES.values() if None in values[spec.code]
        ]
        if alert is not None and request.POST.get("action") != "later":
            # Crisis resources first, on this very response; they can go on afterwards.
            status = 200
        elif unanswered and request.POST.get("action") != "later":
            errors = [f"Please answer every question of the {t}." for t in unanswered]
            status = 400
        else:
            return _after_save(request, token, "wellbeing")
    measures = [
        {
            "spec": spec,
            "rows": [
                {"index": i, "text": text, "value": values[spec.code][i]}
                for i, text in enumerate(spec.items)
            ],
        }
        for spec in screeners.MEASURES.values()
    ]
    return render(
        request,
        "intake/wellbeing.html",
        _context(
            intake,
            token,
            "wellbeing",
            measures=measures,
            options=screeners.OPTIONS,
            stem=screeners.STEM,
            errors=errors,
            saved_with_alert=request.method == "POST" and status == 200,
        ),
        status=status,
    )


class SignForm(forms.Form):
    typed_name = forms.CharField(label="Type your full name to sign", max_length=200)


@intake_view
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, token: str, intake: Intake) -> HttpResponse:
    statuses = intake_services.consent_status(intake.client)
    form = SignForm(request.POST)
    errors = []
    if request.method == "POST" and not intake.is_complete:
        later = request.POST.get("action") == "later"
        agreed = [s["version"] for s in statuses if request.POST.get(f"agree_{s['version'].pk}")]
        missing = [
            s["document"].title
            for s in statuses
            if s["document"].is_required and not s["signed"] and s["version"] not in agreed
        ]
        if missing and not later:
            errors = [f"Tick “I agree” for: {', '.join(missing)}."]
        elif not agreed:
            return _after_save(request, token, "consent")
        elif form.is_valid():
            try:
                intake_services.consent_sign(
                    intake=intake,
                    versions=agreed,
                    typed_name=form.cleaned_data["typed_name"],
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except ValidationError as exc:
                form.add_error("typed_name", exc)
            else:
                return _after_save(request, token, "consent")
    else:
        form = SignForm()
    # Box names come from the browser: "agree_abc" ticks nothing.
    ticked = {int_or_none(k.removeprefix("agree_")) for k in request.POST if k.startswith("agree_")}
    ticked.discard(None)
    return render(
        request,
        "intake/consent.html",
        _context(
            intake, token, "consent", statuses=statuses, form=form, errors=errors, ticked=ticked
        ),
        status=400 if (errors or form.errors) else 200,
    )


@intake_view
@require_POST
def submit(request: HttpRequest, token: str, intake: Intake) -> HttpResponse:
    try:
        intake_services.intake_submit(intake=intake)
    except intake_services.IntakeIncomplete as exc:
        context = _context(intake, token, "", missing=exc.messages, submit_failed=True)
        return render(request, "intake/start.html", context, status=422)
    audit(
        request,
        action=AuditAction.CHANGE,
        what="intake_submitted",
        client=intake.client,
        via="link",
    )
    return redirect("intake-start", token)
