from django.urls import path, re_path

from booking.web import embed, pages, views

app_name = "booking"

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("times/", pages.times, name="times"),
    path("zones.json", pages.zones, name="zones"),
    path("embed.js", embed.embed_script, name="embed-js"),
    path("hold/", pages.hold, name="hold"),
    path("details/<str:token>/", pages.details, name="details"),
    path("manage/<str:token>/", views.manage_page, name="manage"),
    path("manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("manage/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("manage/<str:token>/session.ics", views.appointment_ics, name="appointment-ics"),
    path("manage/<str:token>/new-links/", views.new_links, name="new-links"),
    path("manage/<str:token>/join/", views.join, name="join"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm-email"),
    # A link cut at a slash, or with something added: the link page, not a bare 404.
    # (Ending in "/" so that a link missing its last slash still gets one first.)
    re_path(r"^(?:manage|confirm)/(?P<rest>.*/)?$", views.link_invalid, name="link-invalid"),
    # Readable links a practice pastes into its website (practice/slugs.py keeps
    # these slugs off the fixed addresses above).
    path("type/<slug:type_slug>/", pages.type_link, name="type-link"),
    path("<slug:therapist_slug>/", pages.therapist_link, name="therapist-link"),
    path(
        "<slug:therapist_slug>/<slug:type_slug>/",
        pages.therapist_type_link,
        name="therapist-type-link",
    ),
]
