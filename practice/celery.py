import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")

app = Celery("practice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks that live below an app's top level (booking/notify/tasks.py, booking/scheduling/tasks.py).
app.autodiscover_tasks(["booking.notify", "booking.scheduling"])


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Worker and beat log like the web process: Django's LOGGING (JSON lines, redacted).

    Connecting this signal keeps Celery from installing its own handlers.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
