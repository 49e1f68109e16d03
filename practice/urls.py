from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from booking.feeds import views as feed_views
from clients.urls import intake_urlpatterns, staff_urlpatterns
from practice import auth, health, passwords, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Email providers' delivery/bounce webhooks (django-anymail; basic auth).
    path("anymail/", include("anymail.urls")),
    path("book/", include("booking.web.urls")),
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar-feed"),
    path("staff/login/", auth.login, name="staff-login"),
    path("staff/logout/", auth.logout, name="staff-logout"),
    path("staff/password/", passwords.password_change, name="staff-password-change"),
    path("staff/password-reset/", passwords.password_reset, name="staff-password-reset"),
    path(
        "staff/password-reset/sent/",
        passwords.password_reset_sent,
        name="staff-password-reset-sent",
    ),
    path(
        "staff/password-reset/done/",
        passwords.password_reset_done,
        name="staff-password-reset-done",
    ),
    path(
        "staff/password-reset/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="staff-password-reset-confirm",
    ),
    path("staff/two-factor/", auth.two_factor, name="staff-two-factor"),
    path("staff/two-factor/enrol/<str:secret>/", auth.enrol, name="staff-two-factor-enrol"),
    path("staff/two-factor/replace/", auth.two_factor_replace, name="staff-two-factor-replace"),
    path(
        "staff/two-factor/recovery-codes/",
        auth.recovery_codes_regenerate,
        name="staff-recovery-codes",
    ),
    path("staff/team/", views.team, name="staff-team"),
    path(
        "staff/team/<int:user_id>/enrolment-link/",
        views.team_enrolment_link,
        name="staff-team-link",
    ),
    path(
        "staff/team/<int:user_id>/reset-two-factor/",
        views.team_two_factor_reset,
        name="staff-team-reset",
    ),
    path("staff/api-tokens/", views.api_token_list, name="staff-api-tokens"),
    path(
        "staff/api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="staff-api-token-revoke",
    ),
    path("staff/", include(staff_urlpatterns)),
    path("staff/", include("booking.staff.urls")),
    path("intake/", include(intake_urlpatterns)),
    path("staff/calendar-feeds/", feed_views.my_feeds, name="staff-feeds"),
    path(
        "staff/calendar-feeds/<uuid:feed_id>/settings/",
        feed_views.feed_settings,
        name="staff-feed-settings",
    ),
    path(
        "staff/calendar-feeds/<uuid:feed_id>/rotate/",
        feed_views.feed_rotate,
        name="staff-feed-rotate",
    ),
    path(
        "staff/calendar-feeds/<uuid:feed_id>/revoke/",
        feed_views.feed_revoke,
        name="staff-feed-revoke",
    ),
    path("api/v1/", include(("booking.api.urls", "api"), namespace="api")),
    path("api/v1/staff/", include(("clients.staff.api_urls", "staff-api"), namespace="staff-api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "practice.errors.bad_request"
handler403 = "practice.errors.permission_denied"
handler404 = "practice.errors.page_not_found"
handler500 = "practice.errors.server_error"
