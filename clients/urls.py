"""Staff pages for clients (mounted at /staff/) and the client's intake link (at /intake/)."""

from django.urls import path

from clients.intake import views as intake_views

from clients.staff import views as staff_views

staff_urlpatterns = [
    path("", staff_views.home, name="staff-home"),
    path("clients/", staff_views.client_list, name="staff-clients"),
    path("clients/new/", staff_views.client_new, name="staff-client-new"),
    path("clients/<uuid:public_id>/", staff_views.client_detail, name="staff-client"),
    path("clients/<uuid:public_id>/edit/", staff_views.client_edit, name="staff-client-edit"),
    path("clients/<uuid:public_id>/assign/", staff_views.client_assign, name="staff-client-assign"),
    path("clients/<uuid:public_id>/book/", staff_views.client_book, name="staff-client-book"),
    path(
        "clients/<uuid:public_id>/messages/<int:notification_id>/resend/",
        staff_views.message_resend,
        name="staff-message-resend",
    ),
    path(
        "clients/<uuid:public_id>/intake/resend/",
        staff_views.intake_resend,
        name="staff-intake-resend",
    ),
    path(
        "clients/<uuid:public_id>/links/rotate/",
        staff_views.client_rotate_links,
        name="staff-client-rotate-links",
    ),
    path(
        "clients/<uuid:public_id>/intake/review/",
        staff_views.intake_review,
        name="staff-intake-review",
    ),
    path(
        "clients/<uuid:public_id>/alerts/<int:alert_id>/acknowledge/",
        staff_views.alert_acknowledge,
        name="staff-alert-acknowledge",
    ),
    path(
        "clients/<uuid:public_id>/export.<str:fmt>",
        staff_views.client_export,
        name="staff-client-export",
    ),
    path(
        "clients/<uuid:public_id>/anonymise/",
        staff_views.client_anonymise,
        name="staff-client-anonymise",
    ),
    path("intake/", staff_views.intake_queue, name="staff-intake-queue"),
    path("audit/", staff_views.audit_log, name="staff-audit"),
]

intake_urlpatterns = [
    path("<str:token>/", intake_views.start, name="intake-start"),
    path("<str:token>/about/", intake_views.about, name="intake-about"),
    path("<str:token>/questions/", intake_views.questionnaire, name="intake-questions"),
    path("<str:token>/wellbeing/", intake_views.wellbeing, name="intake-wellbeing"),
    path("<str:token>/consent/", intake_views.consent, name="intake-consent"),
    path("<str:token>/submit/", intake_views.submit, name="intake-submit"),
]
