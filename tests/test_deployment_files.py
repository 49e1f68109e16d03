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
    # Therapists' photos outlive the container (MEDIA_ROOT's default in the image).
    assert "media:/app/var/media" in services["web"]["volumes"]
    assert "media" in COMPOSE["volumes"]


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
    assert services["worker"]["command"].startswith("celery -A practice --quiet worker")
    assert services["beat"]["command"].startswith("celery -A practice --quiet beat")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"practice.wsgi:application"' in dockerfile
    assert (ROOT / "practice" / "wsgi.py").exists() and (ROOT / "practice" / "celery.py").exists()
    assert "collectstatic" in dockerfile


def test_the_image_context_leaves_out_secrets_local_data_and_caches():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".env", "var/", ".venv/", ".git/", "test-results/", ".pytest_cache/"):
        assert entry in ignored, entry
    assert "**/__pycache__/" in ignored and ".ruff_cache/" in ignored
    assert "!.env.example" in ignored  # the documented defaults may ship


def secret_key_with(env: dict) -> str:
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "READ_DOT_ENV")}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from practice import settings; print(settings.SECRET_KEY)"],
        cwd=ROOT,
        env=base | {"DEBUG": "1"} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_settings_read_a_dot_env_file_only_when_asked(tmp_path):
    dot_env = tmp_path / ".env"
    dot_env.write_text("SECRET_KEY=from-the-dot-env-file-0123456789\n")
    assert secret_key_with({"DOT_ENV_FILE": str(dot_env)}) != "from-the-dot-env-file-0123456789"
    asked = {"DOT_ENV_FILE": str(dot_env), "READ_DOT_ENV": "1"}
    assert secret_key_with(asked) == "from-the-dot-env-file-0123456789"
