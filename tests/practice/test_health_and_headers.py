"""Health endpoints, and the security headers every page carries."""

import pytest
from django.core.management import CommandError, call_command

from tests.support.celery_helpers import broker, free_port


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_checks_the_database_and_the_broker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "encryption": "ok",
    }


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]])
def test_without_a_valid_encryption_key_readyz_is_503_and_checks_fail(client, db, settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["encryption"] == "no valid FIELD_ENCRYPTION_KEYS"
    from django.core.checks import run_checks

    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "practice.E001"]
    assert len(errors) == 1 and "FIELD_ENCRYPTION_KEYS" in errors[0].hint
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        call_command("check", deploy=True)


def test_readyz_is_503_when_the_broker_is_down(client, db, settings):
    with broker(f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["broker"].startswith("unreachable")
        with pytest.raises(CommandError, match="Not ready"):
            call_command("check_health")


def test_pages_carry_a_strict_content_security_policy_and_no_framing(client, db):
    response = client.get("/book/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def production_host(settings):
    """A deployer's settings: their own host name only, and HTTPS redirects on."""
    settings.ALLOWED_HOSTS = ["booking.example.org"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_a_container_probe_on_127_0_0_1_over_http(
    client, db, production_host, path
):
    response = client.get(path, HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_every_other_path_still_checks_the_host_and_redirects_to_https(client, db, production_host):
    assert client.get("/book/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    redirect = client.get("/book/", HTTP_HOST="booking.example.org")
    assert (redirect.status_code, redirect["Location"]) == (
        301,
        "https://booking.example.org/book/",
    )
    assert client.post("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 400
