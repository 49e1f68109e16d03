"""The compose services' commands, run natively with a deployer's filled-in .env.

No container engine here: each service's command (and health check) from
docker-compose.yml and the Dockerfile runs as a process with the environment
compose would give it: .env.example filled the way a deployer fills it, then the
service's own ``environment`` with local PostgreSQL and Redis addresses.
"""

import json
import os
import re
import shlex
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
HOST = "booking.example.org"


def deployer_env(*, database_url: str, redis_url: str, extra: dict | None = None) -> dict:
    """.env.example as a deployer fills it, plus compose's per-service variables."""
    env = dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", (ROOT / ".env.example").read_text(), re.M))
    env |= {
        "SECRET_KEY": "deployer-" + Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "BEHIND_TLS_PROXY": "1",
        "NUM_PROXIES": "1",
        "DEFAULT_FROM_EMAIL": f"bookings@{HOST}",
    }
    env |= COMPOSE["x-app"]["environment"] | {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    return env | (extra or {})


def process_env(env: dict) -> dict:
    """A container's environment: these variables and the image's tools on PATH, nothing else."""
    path = f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    # Tests run as root here; the image runs as an ordinary user and never sees this warning.
    quiet = "ignore:You're running the worker with superuser privileges"
    return env | {"PATH": path, "HOME": os.environ.get("HOME", "/root"), "PYTHONWARNINGS": quiet}


def command(service: str) -> list[str]:
    if service == "web":
        (cmd,) = re.findall(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M)
        return json.loads(cmd)
    return shlex.split(COMPOSE["services"][service]["command"])


def healthcheck(service: str) -> list[str]:
    test = COMPOSE["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD", test
    return test[1:]
