"""The compose file, the Dockerfile, .env.example and the settings tell one story."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS = (ROOT / "practice" / "settings.py").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


def settings_variables() -> set[str]:
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS))


def example_variables() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.M))


def test_every_setting_read_from_the_environment_is_documented_and_vice_versa():
    assert settings_variables() == example_variables()


def test_the_stack_has_its_services_and_health_checks():
    services = COMPOSE["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert services["migrate"]["restart"] == "no"
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "pgdata" in COMPOSE["volumes"]


def test_web_worker_and_beat_are_one_image_with_one_environment():
    app = [COMPOSE["services"][name] for name in ("migrate", "web", "worker", "beat")]
    assert {s["image"] for s in app} == {"therapy-booking:latest"}
    assert all(s["env_file"] == ".env" for s in app)
    for service in app:
        assert set(service["environment"]) <= example_variables()
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")


def test_the_commands_name_real_things():
    services = COMPOSE["services"]
    assert services["migrate"]["command"] == (
        'sh -c "python manage.py check --deploy --fail-level ERROR'
        ' && python manage.py migrate --noinput"'
    )
    assert services["worker"]["command"].startswith("celery -A practice worker")
    assert services["beat"]["command"].startswith("celery -A practice beat")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"practice.wsgi:application"' in dockerfile
    assert (ROOT / "practice" / "wsgi.py").exists() and (ROOT / "practice" / "celery.py").exists()
    assert "collectstatic" in dockerfile
