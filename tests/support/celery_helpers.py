"""Running the real Celery worker and a real Redis in tests."""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from practice.celery import app

REPO = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout=30.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


@contextmanager
def broker(url: str):
    """Point this process's Celery producer at ``url`` for the duration."""
    old = app.conf.broker_url
    app.conf.broker_url = url
    app._after_fork()  # drop pooled connections to the old broker
    try:
        yield
    finally:
        app.conf.broker_url = old
        app._after_fork()


@contextmanager
def in_process_worker(**options):
    """Celery's test worker (a thread of this process), stopped at once when the block ends.

    Celery's own helper asks the worker to stop and joins it; the worker sees the request
    only when its wait for a message ends, which on the embedded (folder) broker is a
    two-second wait. Here the worker is asked the same way and then woken by a broadcast.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.worker import state

    with start_worker(app, perform_ping_check=False, **options) as worker:
        try:
            yield worker
        finally:
            state.should_terminate = 0  # what start_worker sets on the way out, a moment earlier
            app.control.broadcast("ping", reply=False)


@contextmanager
def not_eager():
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server we may stop and start: a broker outage on demand."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.process = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._accepts, timeout=10, what="redis-server to accept connections")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


def database_url() -> str:
    """The test database, as a URL a worker subprocess can use."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    user = db["USER"] or "postgres"
    port = db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """``celery -A practice worker`` as a separate process, which a test may kill -9."""

    def __init__(self, *, broker_url: str, env: dict, log: Path):
        self.broker_url, self.extra_env, self.log, self.process = broker_url, env, log, None

    def start(self, concurrency: int = 2):
        env = (
            os.environ
            | self.extra_env
            | {
                "DJANGO_SETTINGS_MODULE": "practice.settings",
                "SECRET_KEY": settings.SECRET_KEY,
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": self.broker_url,
            }
        )
        self.process = subprocess.Popen(  # noqa: S603
            [str(REPO / ".venv/bin/celery"), "-A", "practice", *self.arguments(concurrency)],
            cwd=REPO,
            env=env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill -9 reaches the children
        )

    def arguments(self, concurrency: int) -> list[str]:
        return [
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class BeatProcess(WorkerProcess):
    """``celery -A practice beat`` with a schedule file of its own (the settings' schedule;
    NOTIFICATION_SCAN_SECONDS in ``env`` shortens the scanner's minute)."""

    def __init__(self, *, broker_url: str, env: dict, log: Path, schedule: Path):
        super().__init__(broker_url=broker_url, env=env, log=log)
        self.schedule = schedule

    def arguments(self, concurrency: int) -> list[str]:
        return ["beat", f"--schedule={self.schedule}", "--loglevel=INFO"]


def wait_for_quiet_database(timeout: float = 15.0) -> None:
    """Wait until no other connection is running a query on the test database.

    A worker thread can still be finishing a duplicated delivery (a no-op that
    locks rows) when its test ends; the test database's flush (TRUNCATE) must
    not start under it, or PostgreSQL reports a deadlock. SQLite has nothing
    to wait for.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return

    def busy() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            return cursor.fetchone()[0] > 0

    # Quiet for a whole second, not one glance: a worker thread that was finishing
    # a task may start one more query just after a single check.
    since = [time.monotonic()]

    def quiet_for_a_second() -> bool:
        if busy():
            since[0] = time.monotonic()
        return time.monotonic() - since[0] >= 1.0

    wait_for(quiet_for_a_second, timeout=timeout, what="other connections to finish their queries")
