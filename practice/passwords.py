"""Staff passwords: change your own (signed in), reset a forgotten one by email.

Django's views, with the practice's templates. The reset form answers the same
whether or not the address belongs to anyone, and sends nothing itself: it
queues ``practice.tasks.password_reset_email_send`` per matching user (after
commit), so the answer also takes the same time either way, and the reset
token is made in the worker, never carried through the broker. Links in the
email start with SITE_URL, not the request's Host header. Resetting a password
does not sign anyone in, and leaves two-factor as it was.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse_lazy

from practice.access import staff_required
from practice.ratelimit import rate_limited


class StaffPasswordResetForm(PasswordResetForm):
    def save(self, **kwargs) -> None:
        from practice.tasks import password_reset_email_send

        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_email_send.delay_on_commit(user.pk)


class _BadInputIs400:
    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _PasswordChange(_BadInputIs400, auth_views.PasswordChangeView):
    template_name = "staff/password_change.html"
    success_url = reverse_lazy("staff-home")

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed.")
        return super().form_valid(form)


class _PasswordReset(_BadInputIs400, auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "staff/password_reset_form.html"
    success_url = reverse_lazy("staff-password-reset-sent")


class _PasswordResetConfirm(_BadInputIs400, auth_views.PasswordResetConfirmView):
    template_name = "staff/password_reset_confirm.html"
    success_url = reverse_lazy("staff-password-reset-done")


password_change = staff_required(_PasswordChange.as_view())
password_reset = rate_limited("password_reset", methods=("POST",))(_PasswordReset.as_view())
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="staff/password_reset_sent.html"
)
password_reset_confirm = _PasswordResetConfirm.as_view()
password_reset_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="staff/password_reset_done.html"
)
