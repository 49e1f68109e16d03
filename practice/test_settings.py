"""Settings for the test suite: the real ones, with a fixed key and fast, local side effects."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXJlYWwtZGF0YSE=")
# The test client and the browser tests' live server speak plain HTTP.
os.environ.setdefault("HTTPS", "0")
# Tests send many requests from one address; the rate-limit tests set low rates themselves.
for _scope in ("SLOTS", "BOOKING", "MANAGE", "FEED", "INTAKE", "LOGIN", "PASSWORD_RESET"):
    os.environ.setdefault(f"RATE_LIMIT_{_scope}", "100000/minute")

from practice.settings import *  # noqa: E402,F403

STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SMS_BACKEND = "booking.notify.sms.LocmemBackend"
SITE_URL = "https://booking.example"
MEDIA_ROOT = str(VAR_DIR / "test-media")  # noqa: F405

if REDIS_URL:  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    # Tests empty the cache between tests: give it a Redis database of its own
    # (15 unless TEST_CACHE_REDIS_DB says otherwise, so two checkouts can run
    # their suites side by side) so that never touches the broker's queues.
    _cache_db = os.environ.get("TEST_CACHE_REDIS_DB", "15")
    CACHES["default"]["LOCATION"] = urlunsplit(  # noqa: F405
        urlsplit(REDIS_URL)._replace(path=f"/{_cache_db}")  # noqa: F405
    )
JITSI_BASE_URL = "https://meet.example"

if CELERY_BROKER_URL == "filesystem://":  # noqa: F405
    # The embedded broker is a folder a worker polls, once a second by default: the
    # tests' in-process workers look ten times a second, so each task they wait for
    # is picked up within a tenth of a second rather than up to a second.
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "polling_interval": 0.1}  # noqa: F405
