"""The Django admin, for practice owners only, behind two-factor like every staff page."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url

from practice.access import staff_context_for


class PracticeAdminSite(admin.AdminSite):
    site_header = "Practice administration"
    site_title = "Practice administration"

    def has_permission(self, request):
        context = staff_context_for(request)
        return bool(
            request.user.is_active
            and request.user.is_staff
            and context is not None
            and context.is_owner
            and context.two_factor_ok
        )

    def login(self, request, extra_context=None):
        # One sign-in for all staff (password, two-factor, lockout): the staff login page.
        target = request.GET.get("next") or resolve_url("admin:index")
        return redirect_to_login(target, login_url=resolve_url("staff-login"))
