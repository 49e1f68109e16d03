from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PracticeConfig(AppConfig):
    default = True
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from practice import checks  # noqa: F401 (registers the system checks)


class PracticeAdminConfig(admin_apps.AdminConfig):
    """The admin site, open only to practice owners who passed two-factor (practice.admin_site)."""

    default = False
    default_site = "practice.admin_site.PracticeAdminSite"
