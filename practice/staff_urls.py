"""Every staff page (under /staff/) and staff API endpoint (under /api/v1/staff/), in one place.

Mounted by practice/urls.py. Order matters where patterns overlap: the first match wins.
"""

from django.urls import path

from booking.feeds import views as feed_views
from booking.staff import apis as booking_apis
from booking.staff import settings as booking_settings
from booking.staff import share as share_views
from booking.staff import views as booking_views
from clients.staff import apis as client_apis
from clients.staff import views as client_views
from practice import auth, passwords, profile, views

# /staff/…
urlpatterns = [
    # Signing in, passwords, two-factor, the team and API tokens (practice/).
    path("login/", auth.login, name="staff-login"),
    path("logout/", auth.logout, name="staff-logout"),
    path("password/", passwords.password_change, name="staff-password-change"),
    path("password-reset/", passwords.password_reset, name="staff-password-reset"),
    path(
        "password-reset/sent/",
        passwords.password_reset_sent,
        name="staff-password-reset-sent",
    ),
    path(
        "password-reset/done/",
        passwords.password_reset_done,
        name="staff-password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="staff-password-reset-confirm",
    ),
    path("two-factor/", auth.two_factor, name="staff-two-factor"),
    path("two-factor/enrol/<str:secret>/", auth.enrol, name="staff-two-factor-enrol"),
    path("two-factor/replace/", auth.two_factor_replace, name="staff-two-factor-replace"),
    path(
        "two-factor/recovery-codes/",
        auth.recovery_codes_regenerate,
        name="staff-recovery-codes",
    ),
    path("team/", views.team, name="staff-team"),
    path("settings/", booking_settings.practice_settings, name="staff-settings"),
    path(
        "settings/session-types/new/",
        booking_settings.session_type_edit,
        name="staff-session-type-new",
    ),
    path(
        "settings/session-types/<int:pk>/",
        booking_settings.session_type_edit,
        name="staff-session-type",
    ),
    path("settings/rooms/", booking_settings.room_save, name="staff-room-new"),
    path("settings/rooms/<int:pk>/", booking_settings.room_save, name="staff-room"),
    path(
        "team/<int:user_id>/enrolment-link/",
        views.team_enrolment_link,
        name="staff-team-link",
    ),
    path(
        "team/<int:user_id>/reset-two-factor/",
        views.team_two_factor_reset,
        name="staff-team-reset",
    ),
    path("api-tokens/", views.api_token_list, name="staff-api-tokens"),
    path(
        "api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="staff-api-token-revoke",
    ),
    path("profile/", profile.therapist_profile, name="staff-profile"),
    # Clients, intake review, the audit log (clients/staff/).
    path("", client_views.home, name="staff-home"),
    path("clients/", client_views.client_list, name="staff-clients"),
    path("clients/new/", client_views.client_new, name="staff-client-new"),
    path("clients/<uuid:public_id>/", client_views.client_detail, name="staff-client"),
    path("clients/<uuid:public_id>/edit/", client_views.client_edit, name="staff-client-edit"),
    path(
        "clients/<uuid:public_id>/assign/", client_views.client_assign, name="staff-client-assign"
    ),
    path("clients/<uuid:public_id>/book/", client_views.client_book, name="staff-client-book"),
    path(
        "clients/<uuid:public_id>/messages/<int:notification_id>/resend/",
        client_views.message_resend,
        name="staff-message-resend",
    ),
    path(
        "clients/<uuid:public_id>/intake/resend/",
        client_views.intake_resend,
        name="staff-intake-resend",
    ),
    path(
        "clients/<uuid:public_id>/links/rotate/",
        client_views.client_rotate_links,
        name="staff-client-rotate-links",
    ),
    path(
        "clients/<uuid:public_id>/intake/review/",
        client_views.intake_review,
        name="staff-intake-review",
    ),
    path(
        "clients/<uuid:public_id>/alerts/<int:alert_id>/acknowledge/",
        client_views.alert_acknowledge,
        name="staff-alert-acknowledge",
    ),
    path(
        "clients/<uuid:public_id>/export.<str:fmt>",
        client_views.client_export,
        name="staff-client-export",
    ),
    path(
        "clients/<uuid:public_id>/anonymise/",
        client_views.client_anonymise,
        name="staff-client-anonymise",
    ),
    path("intake/", client_views.intake_queue, name="staff-intake-queue"),
    path("audit/", client_views.audit_log, name="staff-audit"),
    # Calendars, sessions, availability, series (booking/staff/).
    path("calendar/", booking_views.therapist_calendar, name="staff-calendar"),
    path("desk/", booking_views.front_desk, name="staff-desk"),
    path(
        "appointments/<uuid:public_id>/",
        booking_views.appointment_detail,
        name="staff-appointment",
    ),
    path(
        "appointments/<uuid:public_id>/<str:action>/",
        booking_views.appointment_action,
        name="staff-appointment-action",
    ),
    path("availability/", booking_views.availability_page, name="staff-availability"),
    path(
        "availability/<str:kind>/<int:pk>/delete/",
        booking_views.availability_delete,
        name="staff-availability-delete",
    ),
    path("clients/<uuid:client_id>/series/new/", booking_views.series_new, name="staff-series-new"),
    path("series/<uuid:public_id>/", booking_views.series_detail, name="staff-series"),
    path("series/<uuid:public_id>/end/", booking_views.series_end, name="staff-series-end"),
    # Booking links and website code (booking/staff/share.py).
    path("share/", share_views.share_page, name="staff-share"),
    # Calendar feed settings (booking/feeds/).
    path("calendar-feeds/", feed_views.my_feeds, name="staff-feeds"),
    path(
        "calendar-feeds/<uuid:feed_id>/settings/",
        feed_views.feed_settings,
        name="staff-feed-settings",
    ),
    path(
        "calendar-feeds/<uuid:feed_id>/rotate/",
        feed_views.feed_rotate,
        name="staff-feed-rotate",
    ),
    path(
        "calendar-feeds/<uuid:feed_id>/revoke/",
        feed_views.feed_revoke,
        name="staff-feed-revoke",
    ),
]

# /api/v1/staff/… (namespace "staff-api")
api_urlpatterns = [
    path("clients/", client_apis.ClientListApi.as_view(), name="clients"),
    path("clients/<str:public_id>/", client_apis.ClientDetailApi.as_view(), name="client"),
    path("clients/<str:public_id>/intake/", client_apis.IntakeStatusApi.as_view(), name="intake"),
    path(
        "clients/<str:public_id>/intake/review/",
        client_apis.IntakeReviewApi.as_view(),
        name="intake-review",
    ),
    path("clients/<str:public_id>/clinical/", client_apis.ClinicalApi.as_view(), name="clinical"),
    path("clients/<str:public_id>/export/", client_apis.ExportApi.as_view(), name="export"),
    path("audit/", client_apis.AuditLogApi.as_view(), name="audit"),
    path("appointments/", booking_apis.StaffAppointmentListApi.as_view(), name="appointments"),
    path(
        "appointments/<str:public_id>/",
        booking_apis.StaffAppointmentApi.as_view(),
        name="appointment",
    ),
    path(
        "appointments/<str:public_id>/approve/",
        booking_apis.StaffAppointmentApproveApi.as_view(),
        name="appointment-approve",
    ),
    path(
        "appointments/<str:public_id>/decline/",
        booking_apis.StaffAppointmentDeclineApi.as_view(),
        name="appointment-decline",
    ),
    path(
        "appointments/<str:public_id>/cancel/",
        booking_apis.StaffAppointmentCancelApi.as_view(),
        name="appointment-cancel",
    ),
    path(
        "appointments/<str:public_id>/undo/",
        booking_apis.StaffAppointmentUndoApi.as_view(),
        name="appointment-undo",
    ),
    path(
        "appointments/<str:public_id>/outcome/",
        booking_apis.StaffAppointmentOutcomeApi.as_view(),
        name="appointment-outcome",
    ),
    path("availability/", booking_apis.AvailabilityApi.as_view(), name="availability"),
    path("availability/time-off/", booking_apis.TimeOffListApi.as_view(), name="time-off"),
    path(
        "availability/time-off/<str:pk>/", booking_apis.TimeOffApi.as_view(), name="time-off-item"
    ),
    path("availability/extra-hours/", booking_apis.ExtraHoursListApi.as_view(), name="extra-hours"),
    path(
        "availability/extra-hours/<str:pk>/",
        booking_apis.ExtraHoursApi.as_view(),
        name="extra-hours-item",
    ),
    path("series/", booking_apis.SeriesListApi.as_view(), name="series"),
    path("series/plan/", booking_apis.SeriesPlanApi.as_view(), name="series-plan"),
    path("series/<str:public_id>/", booking_apis.SeriesApi.as_view(), name="series-item"),
    path("series/<str:public_id>/end/", booking_apis.SeriesEndApi.as_view(), name="series-end"),
]
