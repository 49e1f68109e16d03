"""The client's intake link (mounted at /intake/)."""

from django.urls import path, re_path

from clients.intake import views as intake_views

urlpatterns = [
    path("<str:token>/", intake_views.start, name="intake-start"),
    path("<str:token>/about/", intake_views.about, name="intake-about"),
    path("<str:token>/questions/", intake_views.questionnaire, name="intake-questions"),
    path("<str:token>/wellbeing/", intake_views.wellbeing, name="intake-wellbeing"),
    path("<str:token>/consent/", intake_views.consent, name="intake-consent"),
    path("<str:token>/submit/", intake_views.submit, name="intake-submit"),
    # A link cut at a slash, or with something added: the link page, not a bare 404.
    re_path(r"^(?P<rest>.*/)?$", intake_views.link_invalid, name="intake-link-invalid"),
]
