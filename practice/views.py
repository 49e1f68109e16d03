"""Owner pages for the practice's accounts: API tokens for integrations, the team's two-factor."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import api_tokens, two_factor
from practice.access import staff_required
from practice.models import ApiToken


def _is_owner(context) -> bool:
    return context.is_owner


def _practice_users(practice):
    return get_user_model().objects.filter(staff_member__practice=practice, is_active=True)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'Billing export'.")
    user = forms.ModelChoiceField(
        queryset=None,
        label="Acts as",
        help_text="The token sees what this staff member's role sees, no more.",
    )
    days_valid = forms.IntegerField(
        min_value=1, max_value=api_tokens.MAX_DAYS, initial=90, label="Valid for (days)"
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _practice_users(practice).order_by("username")


@never_cache
@staff_required(allow=_is_owner)
def api_token_list(request: HttpRequest) -> HttpResponse:
    """List and issue tokens. A new token is shown in this one answer and never again."""
    practice = request.staff.practice
    form = ApiTokenForm(request.POST or None, practice=practice)
    issued = None
    if request.method == "POST" and _form_already_sent(request):
        # A reload of the answer that showed a token must not make a second one.
        messages.info(request, "That form was already sent: the token was shown then.")
        return redirect("staff-api-tokens")
    if request.method == "POST" and form.is_valid():
        _, issued = api_tokens.api_token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            days_valid=form.cleaned_data["days_valid"],
            issued_by=request.user,
        )
        form = ApiTokenForm(practice=practice)
    tokens = ApiToken.objects.filter(user__in=_practice_users(practice)).select_related("user")
    return render(
        request,
        "staff/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": tokens,
            "nav": "tokens",
            "form_once": secrets.token_urlsafe(16),
        },
        status=400 if form.errors else 200,
    )


def _form_already_sent(request) -> bool:
    """Each rendered form carries a one-time value; the session remembers the ones used."""
    once = request.POST.get("form_once", "")[:64]
    used = request.session.get("api_token_forms_used", [])
    if not once or once in used:
        return bool(once)
    request.session["api_token_forms_used"] = [*used[-19:], once]
    return False


@require_POST
@staff_required(allow=_is_owner)
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(
        ApiToken, pk=token_id, user__staff_member__practice=request.staff.practice
    )
    api_tokens.api_token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("staff-api-tokens")


# --- The team's two-factor ---------------------------------------------------------


def _team(practice) -> list[dict]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    rows = []
    for user in _practice_users(practice).select_related("staff_member").order_by("username"):
        rows.append(
            {
                "user": user,
                "role": user.staff_member.get_role_display(),
                "has_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
                "codes_left": two_factor.recovery_codes_left(user),
            }
        )
    return rows


def _render_team(request, *, link=None, for_user=None):
    context = {"team": _team(request.staff.practice), "link": link, "for_user": for_user}
    return render(request, "staff/team.html", context | {"nav": "team"})


@never_cache
@staff_required(allow=_is_owner)
def team(request: HttpRequest) -> HttpResponse:
    return _render_team(request)


def _member_or_404(request, user_id: int):
    return get_object_or_404(_practice_users(request.staff.practice), pk=user_id)


@never_cache
@require_POST
@staff_required(allow=_is_owner)
def team_enrolment_link(request: HttpRequest, user_id: int) -> HttpResponse:
    """A one-time link for the staff member to set up their authenticator (shown once)."""
    user = _member_or_404(request, user_id)
    link = two_factor.enrolment_link_create(user=user, created_by=request.user)
    return _render_team(request, link=link, for_user=user)


@never_cache
@require_POST
@staff_required(allow=_is_owner)
def team_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """A lost phone and no recovery codes: remove their devices and give them a new link."""
    user = _member_or_404(request, user_id)
    if user.pk == request.user.pk:
        messages.error(request, "Replace your own authenticator from your two-factor page.")
        return redirect("staff-team")
    two_factor.two_factor_reset(user=user)
    link = two_factor.enrolment_link_create(user=user, created_by=request.user)
    return _render_team(request, link=link, for_user=user)
