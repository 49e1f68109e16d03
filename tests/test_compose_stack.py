"""The compose stack, service by service, run natively the way the containers would run it.

A deployer's .env (.env.example with secrets, their own host name, HTTPS on),
a fresh PostgreSQL database and a Redis of its own: the image's collectstatic
step, the one-shot ``migrate`` (deploy checks first), ``web`` from the
Dockerfile's CMD until its health check passes, then ``worker`` and ``beat``
with theirs. Any health check that fails, fails the test (and CI's PostgreSQL run).
"""

import re
import shutil
import subprocess
import time
import urllib.request

import psycopg
import pytest
from django.db import connection

from tests.conftest import IS_POSTGRES
from tests.support.celery_helpers import RedisServer, wait_for
from tests.support.compose import HOST, ROOT, command, deployer_env, healthcheck, process_env
from tests.support.smtp_server import free_port

pytestmark = pytest.mark.skipif(
    not IS_POSTGRES or not shutil.which("redis-server"),
    reason="the stack runs on PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL",
)


@pytest.fixture
def database(db):
    """A fresh database beside the test database, as the compose db service starts out."""
    params = connection.settings_dict
    name = f"{params['NAME']}_compose"[:63]
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
        "password": params["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{server['password']}" if server["password"] else ""
    yield f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def stack(database, tmp_path):
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    env = process_env(
        deployer_env(
            database_url=database, redis_url=redis.url, extra={"STATIC_ROOT": str(tmp_path / "s")}
        )
    )
    processes = []

    def run(argv, timeout=300):
        return subprocess.run(  # noqa: S603
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )

    def start(service, argv, **extra):
        log = tmp_path / f"{service}.log"
        processes.append(
            subprocess.Popen(  # noqa: S603
                argv,
                cwd=ROOT,
                env=env | extra,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        return processes[-1], log

    try:
        yield run, start
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        redis.stop()


def passes(run, argv) -> bool:
    return run(argv, timeout=60).returncode == 0


def test_the_compose_services_come_up_healthy_with_a_deployers_env(stack, tmp_path):
    run, start = stack
    # The image's build step.
    (build,) = re.findall(r"^RUN (DEBUG=0 .*collectstatic --noinput)$", dockerfile(), re.M)
    built = run(["sh", "-c", build])
    assert built.returncode == 0, built.stderr

    migrate = run(command("migrate"))
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    port = free_port()
    web, web_log = start("web", command("web"), GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port} -w 1")
    probe = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for arg in healthcheck("web")]
    assert probe != healthcheck("web")  # the documented probe, on this test's port
    wait_for(lambda: passes(run, probe), timeout=60, interval=0.5, what="web's health check")
    assert web.poll() is None
    # Behind the deployer's TLS proxy, the site itself answers on their host name.
    page = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{port}/staff/login/",
        headers={"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    with urllib.request.urlopen(page, timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]

    for service in ("worker", "beat"):
        # The image's /app/var, here a folder of the test's own.
        argv = [arg.replace("/app/var/", f"{tmp_path}/") for arg in command(service)]
        process, log = start(service, argv)
        time.sleep(1)
        check = healthcheck(service)
        wait_for(
            lambda c=check: passes(run, c),
            timeout=60,
            interval=1,
            what=f"{service}'s health check",
        )
        assert process.poll() is None, log.read_text()
    wait_for(
        lambda: "ready." in (tmp_path / "worker.log").read_text(), timeout=60, what="the worker"
    )
    assert "Starting..." in (tmp_path / "beat.log").read_text()
    assert "Booting worker" in web_log.read_text()


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()
