"""A live server whose instance folder sits on a small disk of its own, to fill and to free,
or to make read-only and writable again.

Unprivileged: the server runs in its own user and mount namespace
(`unshare --user --map-root-user --mount`) with its instance folder on a tmpfs that only it
sees. The test reaches the files through `/proc/<pid>/root/…`, fills the tmpfs with a filler
file until the kernel answers ENOSPC, and deletes it to give the room back; or it lays a
read-only bind mount over the folder and removes it. The server is never restarted. (Chmod
would not do: the suite may run as root, and the server keeps its database open. SQLite's `max_page_count` would be a simulation inside SQLite; this is the
kernel refusing the write, as on a real disk.)
"""
from __future__ import annotations

import errno
import json
import shutil
import subprocess
import time
from pathlib import Path

from .live import CLI_TIMEOUT_S, PYTHON, REPO, WAIT, Server, free_port, serve_command, start

DISK_SIZE = "32m"
# Mount a tmpfs on $1 (seen by this process and its children only), copy the office $0 onto
# it, and become the server.
ON_A_SMALL_DISK = 'mount -t tmpfs -o size="$2",mode=0700 tmpfs "$1" && cp -a "$0"/. "$1"/ && shift 2 && exec "$@"'


def namespaces_allowed() -> bool:
    """Whether this machine lets an ordinary process make its own user and mount namespace."""
    if not shutil.which("unshare") or not shutil.which("nsenter"):
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


class SmallDisk:
    """The server on its own tmpfs; `instance` as the server sees it, `files` as this process does."""

    def __init__(self, seed: Path, disk: Path, size: str = DISK_SIZE):
        disk.mkdir()
        port = free_port()
        command = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", ON_A_SMALL_DISK,
                   str(seed), str(disk), size, *serve_command(disk, port)]
        self.server: Server = start(command, seed, port)
        self.instance = disk
        self.files = Path(f"/proc/{self.server.process.pid}/root") / disk.relative_to("/")
        self.database = disk / "antrean.sqlite3"
        self._filler = self.files / "filler.bin"

    def inside(self, *argv: str) -> str:
        """Run a command in the server's namespaces, where its tmpfs is mounted; its stdout.

        SQLite cannot open the database through `/proc/<pid>/root/…`: it resolves that magic
        link to `/` and would open (and create) a file of the same name outside.
        """
        result = subprocess.run(["nsenter", "--target", str(self.server.process.pid), "--user", "--mount",
                                 "--preserve-credentials", *argv], cwd=REPO, capture_output=True, text=True,
                                timeout=CLI_TIMEOUT_S)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[:3]} in the server's namespaces: {result.stderr[-2000:]}")
        return result.stdout

    def sql(self, statement: str) -> list[tuple]:
        """Rows of one statement, run by Python's sqlite3 inside the server's namespaces."""
        script = ("import json, sqlite3, sys; "
                  "print(json.dumps(sqlite3.connect(sys.argv[1], timeout=10).execute(sys.argv[2]).fetchall()))")
        return [tuple(row) for row in json.loads(self.inside(PYTHON, "-c", script, str(self.database), statement))]

    def cli(self, *args: str) -> str:
        """`antrean …` on the server's instance, inside its namespaces."""
        return self.inside(PYTHON, "-m", "shared.cli", "--instance", str(self.instance), *args)

    def fill(self) -> None:
        """Empty the write-ahead log (so the next write must grow a file), then write a filler
        file until the disk refuses another byte."""
        self._empty_the_log()
        with open(self._filler, "wb", buffering=0) as sink:
            for chunk in (1 << 20, 1 << 12, 1):
                try:
                    while True:
                        sink.write(b"\0" * chunk)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise

    def _empty_the_log(self) -> None:
        """Checkpoint the WAL and truncate it to nothing, trying again while it cannot be.

        The server runs checkpoints of its own in the background; while one does, SQLite
        answers this one busy (it takes no turn for the checkpoint lock) and leaves the log
        as it was. A full log left in place would be reused from its start by the next write,
        which then needs no new byte of disk and would not meet the full disk at all.
        """
        deadline = time.monotonic() + WAIT
        while True:
            (busy, _frames, _copied), = self.sql("PRAGMA wal_checkpoint(TRUNCATE)")
            log = self.files / f"{self.database.name}-wal"
            if not busy and (not log.exists() or log.stat().st_size == 0):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server's WAL could not be emptied (busy={busy})")
            time.sleep(0.05)

    def free(self) -> None:
        self._filler.unlink()

    def read_only(self) -> None:
        """Make the folder read-only from now on, as a file system remounted read-only after an
        error would be: a read-only bind mount over it. Files the server already has open keep
        their old mount; every new connection (one per request) gets the read-only one."""
        self.inside("mount", "--bind", "-o", "ro", str(self.instance), str(self.instance))

    def writable(self) -> None:
        self.inside("umount", str(self.instance))

    def stop(self) -> None:
        self.server.stop()
