"""A throwaway PostgreSQL server for the tests and benchmarks (Debian's ``postgresql``).

``initdb`` into a temporary folder, a private port on 127.0.0.1, the unix socket in the same
folder, stopped and removed by ``stop()``. PostgreSQL refuses to run as root, so as root the
server runs as the unprivileged ``postgres`` user the package creates (else ``nobody``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SKIP_ENV = "STORYLINE_SKIP_PG"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's programs are missing or the server would not start."""


def find_bin() -> Path:
    """The folder holding initdb and pg_ctl (PATH first, then Debian's versioned folders)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(cand).parent
    raise PostgresUnavailable("PostgreSQL's initdb was not found: install Debian's 'postgresql' "
                              "package (scripts/system-deps.sh does), or set "
                              f"{SKIP_ENV}=1 to skip the PostgreSQL tests")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One private PostgreSQL cluster; ``url(dbname)`` to connect, ``new_database()`` per test."""

    user = "storyline"

    def __init__(self) -> None:
        self.bin = find_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="storyline-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            owner = "postgres" if _has_user("postgres") else "nobody"
            pw = pwd.getpwnam(owner)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._run_as = ["runuser", "-u", owner, "--"]
        self._count = 0
        self._started = False

    def _run(self, *args: str) -> None:
        res = subprocess.run([*self._run_as, *args], capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            log = self.dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{Path(args[0]).name} failed ({res.returncode}): "
                                      f"{res.stderr.strip() or res.stdout.strip()}\n{tail}")

    def start(self) -> PostgresServer:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user,
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        self._started = True
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, prefix: str = "t") -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        self._count += 1
        name = f"{prefix}{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def copy_database(self, url: str) -> str:
        """A new database copied from the one at ``url`` (nobody may be connected to it)."""
        import psycopg

        source = url.rsplit("/", 1)[1]
        self._count += 1
        name = f"c{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return self.url(name)

    def stop(self) -> None:
        if self._started:
            subprocess.run([*self._run_as, str(self.bin / "pg_ctl"), "-D", str(self.data),
                            "-m", "immediate", "stop"], capture_output=True, timeout=60)
            self._started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
