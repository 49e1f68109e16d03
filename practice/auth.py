"""Staff sign-in: password, then a code from an authenticator app (TOTP, django-otp)
or a one-time recovery code; setting up, replacing and recovering the authenticator.

Failed sign-ins are counted by django-axes per user name and address; a
locked-out pair gets a readable 429 with Retry-After (``lockout_response``).
A practice that requires two-factor sends staff without a device to set one
up before any staff page opens (practice.access.staff_required); setting one up
needs an enrolment link (practice.two_factor), so a password alone never enrols.
"""

import math

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice import two_factor as devices
from practice.access import staff_context_for
from practice.ratelimit import rate_limited

ENROL_SESSION_KEY = "two_factor_enrolment_link"


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    wait = math.ceil(cool_off.total_seconds()) if cool_off else 15 * 60
    response = render(
        request,
        "staff/locked_out.html",
        {"minutes": math.ceil(wait / 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


class StaffLoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=8,
        help_text="Six digits, or one of your recovery codes. "
        "Leave empty if you have not set up two-factor yet.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        if user is not None and list(devices_for_user(user, confirmed=True)):
            token = (cleaned.get("otp_token") or "").strip()
            device = match_token(user, token) if token else None
            if device is None:
                # Counts towards the lockout like a wrong password.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned.get("username")},
                    request=self.request,
                )
                raise forms.ValidationError(
                    "Enter the current six-digit code from your authenticator app.",
                    code="otp",
                )
            self.otp_device = device
        return cleaned


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("staff-home")


def _signed_in(request, response) -> bool:
    return request.user.is_authenticated and response.status_code == 302


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
# Per address, across user names; a sign-in that succeeds is not counted (an office
# behind one address signs in many times a day), failures are.
@rate_limited("login", methods=("POST",), forgive=_signed_in)
def login(request):
    form = StaffLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        if form.otp_device is not None:
            otp_login(request, form.otp_device)
        return redirect(_next_url(request))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "staff/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_POST
def logout(request):
    auth_logout(request)
    messages.success(request, "You are signed out.")
    return redirect("staff-login")


class TwoFactorSetupForm(forms.Form):
    token = forms.CharField(
        label="Code shown in your app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def enrol(request, secret: str):
    """An enrolment link: remember it in this session, then sign in (password) and set up."""
    link = devices.enrolment_link_get(secret)
    if link is None:
        return render(request, "staff/two_factor_link_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != link.user_id:
        auth_logout(request)
    # Signing in keeps an anonymous session's data (django.contrib.auth.login cycles the key).
    request.session[ENROL_SESSION_KEY] = link.pk
    if not request.user.is_authenticated:
        messages.info(request, "Sign in with your password, then set up your authenticator app.")
        return redirect_to_login(reverse("staff-two-factor"))
    return redirect("staff-two-factor")


@never_cache
def two_factor(request):
    """Set up an authenticator app with an enrolment link; with one set up, manage it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = staff_context_for(request)
    if list(devices_for_user(request.user, confirmed=True)):
        if request.user.is_verified():
            return render(
                request,
                "staff/two_factor_manage.html",
                {"codes_left": devices.recovery_codes_left(request.user)},
            )
        # Has a device but this session did not use it: sign in again with the code.
        auth_logout(request)
        messages.info(request, "Sign in with the code from your authenticator app.")
        return redirect("staff-login")
    link = devices.enrolment_link_usable(request.session.get(ENROL_SESSION_KEY), user=request.user)
    if link is None:
        return render(request, "staff/two_factor_needs_link.html", status=403)
    return _setup(
        request, link=link, required=context is not None and context.practice.require_two_factor
    )


@never_cache
def two_factor_replace(request):
    """A new phone: set up a new authenticator, which replaces the old one once confirmed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_verified():
        return redirect("staff-two-factor")
    return _setup(request, link=None, required=False)


@never_cache
@require_POST
def recovery_codes_regenerate(request):
    if not request.user.is_authenticated or not request.user.is_verified():
        return redirect("staff-two-factor")
    codes = devices.recovery_codes_generate(user=request.user)
    return render(request, "staff/recovery_codes.html", {"codes": codes})


def _setup(request, *, link, required: bool):
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", "Too many wrong codes in a row: wait a minute, then try again.")
        elif device.verify_token(form.cleaned_data["token"].strip()):
            codes = devices.totp_device_confirm(device=device, link=link)
            request.session.pop(ENROL_SESSION_KEY, None)
            otp_login(request, device)
            return render(request, "staff/recovery_codes.html", {"codes": codes, "enrolled": True})
        else:
            form.add_error(
                "token", "That code does not match. Check the time on your phone and try again."
            )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, omitsize=False)
    return render(
        request,
        "staff/two_factor.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _base32(device),
            "required": required,
            "replacing": link is None,
        },
        status=400 if form.errors else 200,
    )


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
