"""Worker and beat, started with the compose file's commands, log JSON lines with redaction."""

import json
import shutil
import subprocess
import time

import pytest

from practice.celery import app
from tests.support.celery_helpers import RedisServer, broker, database_url, wait_for
from tests.support.compose import ROOT, command, deployer_env, process_env
from tests.support.smtp_server import free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

SECRET = "S3cr3tT0kenValue-abcdefghijklmnop"


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start(tmp_path, redis):
    """Start a compose service's command natively; returns a function reading its output."""
    processes = []

    def _start(service: str, **extra):
        argv = [a.replace("/app/var/", f"{tmp_path}/") for a in command(service)]
        env = deployer_env(database_url=database_url(), redis_url=redis.url, extra=extra)
        log = tmp_path / f"{service}.log"
        process = subprocess.Popen(  # noqa: S603
            argv,
            cwd=ROOT,
            env=process_env(env),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return log.read_text

    yield _start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_worker_logs_json_lines_and_redacts_tokens(start, redis):
    output = start("worker")
    wait_for(lambda: "ready." in output(), timeout=60, what="the worker to start")
    with broker(redis.url):
        # An unknown task is logged with its name and its arguments: both carry a secret.
        app.send_task(f"/book/manage/{SECRET}/", args=[f"/intake/{SECRET}/"])
        wait_for(lambda: "unregistered task" in output(), timeout=30, what="the error line")
    time.sleep(0.5)
    lines = json_lines(output())  # every line parses
    assert {"time", "level", "logger", "message", "request_id"} <= set(lines[0])
    (error,) = [line for line in lines if "unregistered task" in line["message"]]
    assert error["level"] == "ERROR"
    assert "/book/manage/<token>/" in error["message"]
    assert SECRET not in output(), output()


def test_beat_logs_json_lines(start):
    output = start("beat", NOTIFICATION_SCAN_SECONDS="1")
    wait_for(lambda: "Sending due task" in output(), timeout=60, what="beat's first run")
    lines = json_lines(output())
    assert any(line["logger"] == "celery.beat" for line in lines)
