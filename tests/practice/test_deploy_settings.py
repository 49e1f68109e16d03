"""What `check --deploy` refuses, and what gunicorn's access log may say."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from practice.logging import redact
from tests.support.celery_helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


def site_url_errors():
    return [e for e in run_checks(include_deployment_checks=True) if e.id == "practice.E002"]


@pytest.mark.parametrize("url", ["http://booking.example", "booking.example", ""])
def test_check_deploy_fails_when_the_site_url_is_not_https(settings, url):
    settings.DEBUG = False
    settings.SITE_URL = url
    (error,) = site_url_errors()
    assert "https://" in error.msg
    with pytest.raises(CommandError, match="SITE_URL"):
        call_command("check", deploy=True)


def test_an_https_site_url_passes_and_debug_may_use_plain_http(settings):
    settings.DEBUG = False
    settings.SITE_URL = "https://booking.example"
    assert site_url_errors() == []
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert site_url_errors() == []


def test_ci_runs_check_deploy_with_an_https_site_url():
    ci = (ROOT / ".ci" / "run").read_text()
    (line,) = [line for line in ci.splitlines() if "SITE_URL=" in line]
    assert "SITE_URL=https://" in line


def test_redact_hides_the_reschedule_token_in_a_query():
    line = redact("GET /book/times/?session_type=1&reschedule=abc.DEF-123&tz=UTC HTTP/1.1")
    assert line == "GET /book/times/?session_type=1&reschedule=<token>&tz=UTC HTTP/1.1"


SECRET = "S3cr3tT0kenValue-abcdefghijklmnop"
SECRET_PATHS = [
    f"/book/manage/{SECRET}/",
    f"/book/manage/{SECRET}/session.ics",
    f"/book/details/{SECRET}/?tz=UTC",
    f"/intake/{SECRET}/questions/",
    f"/calendar/{SECRET}.ics",
    f"/api/v1/bookings/{SECRET}/",
    f"/book/times/?session_type=1&reschedule={SECRET}",
]


@pytest.fixture
def gunicorn_log(tmp_path):
    """The project's gunicorn.conf.py serving a tiny app on a loopback port; its access log."""
    port, log = free_port(), tmp_path / "access.log"
    server = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "tests.support.hello_wsgi:application",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_access_log_redacts_tokens_in_paths_queries_and_referers(gunicorn_log):
    base, log = gunicorn_log
    for path in SECRET_PATHS:
        urllib.request.urlopen(base + path, timeout=5)  # noqa: S310
    for page in (f"/book/manage/{SECRET}/", f"/intake/{SECRET}/about/"):
        referred = urllib.request.Request(  # noqa: S310
            base + "/static/booking/booking.css",
            headers={"Referer": f"https://booking.example{page}"},
        )
        urllib.request.urlopen(referred, timeout=5)  # noqa: S310
    for _ in range(50):
        text = log.read_text()
        if text.count("booking.css") == 2:
            break
        time.sleep(0.1)
    assert "GET /book/manage/<token>/ HTTP/1.1" in text
    assert "/calendar/<token>.ics" in text and "reschedule=<token>" in text
    assert '"https://booking.example/book/manage/<token>/"' in text
    assert '"https://booking.example/intake/<token>/about/"' in text
    assert text.count("\n") == len(SECRET_PATHS) + 3  # and the start-up probe
    assert SECRET not in text


def test_the_image_runs_gunicorn_with_the_redacting_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py", "practice.wsgi:application"]' in (
        dockerfile
    )
    config = (ROOT / "gunicorn.conf.py").read_text()
    assert 'logger_class = "practice.gunicorn_logging.RedactingLogger"' in config
