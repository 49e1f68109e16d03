from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from practice.selectors import practice_current


@shared_task
def password_reset_email_send(user_id: int) -> None:
    """Email a password-reset link to a staff user, if they can still use one."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    practice = practice_current()
    context = {
        "user": user,
        "reset_url": settings.SITE_URL + reverse("staff-password-reset-confirm", args=[uid, token]),
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "practice_name": practice.name if practice else "The practice",
    }
    PasswordResetForm().send_mail(
        "emails/password_reset_subject.txt",
        "emails/password_reset.txt",
        context,
        None,
        user.email,
        html_email_template_name="emails/password_reset.html",
    )


@shared_task
def owner_welcome_email_send(user_id: int) -> None:
    """Email a new owner their one-time links: choose a password, set up two-factor."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    from practice.setup import password_link
    from practice.two_factor import ENROLMENT_LINK_HOURS, enrolment_link_create

    user = get_user_model().objects.get(pk=user_id)
    practice = practice_current()
    context = {
        "user": user,
        "password_url": password_link(user),
        "password_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "enrol_url": enrolment_link_create(user=user, created_by=None),
        "enrol_hours": ENROLMENT_LINK_HOURS,
        "sign_in_url": settings.SITE_URL + reverse("staff-login"),
        "practice_name": practice.name if practice else "The practice",
    }
    message = EmailMultiAlternatives(
        subject=f"Your booking service for {context['practice_name']} is ready",
        body=render_to_string("emails/owner_welcome.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/owner_welcome.html", context), "text/html")
    message.send()
