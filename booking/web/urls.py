from django.urls import path, re_path

from booking.web import pages, views

app_name = "booking"

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("times/", pages.times, name="times"),
    path("hold/", pages.hold, name="hold"),
    path("details/<str:token>/", pages.details, name="details"),
    path("manage/<str:token>/", views.manage_page, name="manage"),
    path("manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("manage/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("manage/<str:token>/session.ics", views.appointment_ics, name="appointment-ics"),
    path("manage/<str:token>/new-links/", views.new_links, name="new-links"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm-email"),
    # A link cut at a slash, or with something added: the link page, not a bare 404.
    # (Ending in "/" so that a link missing its last slash still gets one first.)
    re_path(r"^(?:manage|confirm)/(?P<rest>.*/)?$", views.link_invalid, name="link-invalid"),
]
