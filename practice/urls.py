from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from booking.feeds import views as feed_views
from practice import health, photos, staff_urls
from practice.favicon import favicon

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for it on every site whatever the page links: the page's icon.
    path("favicon.ico", favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Email providers' delivery/bounce webhooks (django-anymail; basic auth, and
    # not there at all until ANYMAIL_WEBHOOK_SECRET is set: practice/webhooks.py).
    path("anymail/", include("practice.webhooks")),
    path("book/", include("booking.web.urls")),
    # Therapists' photos (practice/photos.py): only ones in use, as re-encoded JPEGs.
    path("media/therapists/<str:name>", photos.therapist_photo, name="therapist-photo"),
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar-feed"),
    path("intake/", include("clients.intake.urls")),
    # Every staff page and staff API endpoint: practice/staff_urls.py.
    path("staff/", include(staff_urls)),
    path("api/v1/", include(("booking.api.urls", "api"), namespace="api")),
    path(
        "api/v1/staff/",
        include((staff_urls.api_urlpatterns, "staff-api"), namespace="staff-api"),
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "practice.errors.bad_request"
handler403 = "practice.errors.permission_denied"
handler404 = "practice.errors.page_not_found"
handler500 = "practice.errors.server_error"
