"""A real Secret Service for tests: gnome-keyring on a private D-Bus session bus.

:func:`private_secret_service` starts ``dbus-daemon`` (a session bus listening in a fresh folder)
and ``gnome-keyring-daemon --unlock --components=secrets`` on it, with the login keyring created
and unlocked from a password on stdin and kept under the given home's ``XDG_DATA_HOME``. Both run
in the foreground as our own children and are stopped by their process ids afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

#: The programs a private Secret Service needs (Debian/Ubuntu packages: dbus, gnome-keyring).
PROGRAMS = ("dbus-daemon", "gnome-keyring-daemon")
START_TIMEOUT_S = 60.0


class SecretServiceError(RuntimeError):
    """The private bus or keyring daemon did not come up."""


def missing_programs() -> list[str]:
    return [name for name in PROGRAMS if shutil.which(name) is None]


@dataclass(frozen=True)
class SecretServiceSession:
    """A running private Secret Service: its bus address and the daemons' environment."""

    address: str
    env: dict[str, str]

    def stored(self, service: str, username: str) -> list[bytes]:
        """The secrets stored for ``service``/``username``, read through secretstorage directly."""
        import secretstorage

        with _connection(self.address) as conn:
            attributes = {"service": service, "username": username}
            return [item.get_secret() for item in secretstorage.search_items(conn, attributes)]


@contextmanager
def _connection(address: str) -> Iterator[object]:
    """A D-Bus connection to ``address`` (secretstorage reads DBUS_SESSION_BUS_ADDRESS)."""
    import secretstorage

    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        conn = secretstorage.dbus_init()
    finally:
        if old is None:
            del os.environ["DBUS_SESSION_BUS_ADDRESS"]
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = old
    try:
        yield conn
    finally:
        conn.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _output(process: subprocess.Popen[bytes]) -> str:
    """What a process that has ended wrote on stderr."""
    return process.stderr.read().decode(errors="replace").strip() if process.stderr else ""


@contextmanager
def private_secret_service(
    home: Path, password: str = "ocrviewer-test-login"
) -> Iterator[SecretServiceSession]:
    """Run a Secret Service on a private session bus for as long as the ``with`` block.

    Raises :class:`SecretServiceError` (with the daemons' own messages) if it does not come up.
    """
    import secretstorage

    with ExitStack() as stack:
        # A short folder of our own: the bus socket path must stay under the 108-byte limit.
        run_dir = Path(tempfile.mkdtemp(prefix="ocrv-bus-"))
        stack.callback(shutil.rmtree, run_dir, True)
        run_dir.chmod(0o700)
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(run_dir),
            "XDG_DATA_HOME": os.environ.get("XDG_DATA_HOME", str(home / "data")),
            "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(home / "config")),
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(home / "cache")),
        }
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        bus = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                "--nopidfile",
                f"--address=unix:dir={run_dir}",
                "--print-address=1",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        stack.callback(_stop, bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()  # printed once it listens; EOF if it died
        if not address:
            bus.wait(30)
            raise SecretServiceError(f"dbus-daemon did not start (exit {bus.returncode}): {_output(bus)}")
        env["DBUS_SESSION_BUS_ADDRESS"] = address

        keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        stack.callback(_stop, keyring_daemon)
        assert keyring_daemon.stdin is not None
        keyring_daemon.stdin.write(password.encode())  # creates and unlocks the login keyring
        keyring_daemon.stdin.close()

        deadline = time.monotonic() + START_TIMEOUT_S
        last_error = "the service did not appear on the bus"
        while True:
            if keyring_daemon.poll() is not None:
                raise SecretServiceError(
                    f"gnome-keyring-daemon exited ({keyring_daemon.returncode}): {_output(keyring_daemon)}"
                )
            try:
                with _connection(address) as conn:
                    if secretstorage.check_service_availability(conn):
                        collection = secretstorage.get_default_collection(conn)
                        if not collection.is_locked():
                            break
                        last_error = "the login keyring is locked"
            except Exception as err:  # noqa: BLE001 - any failure to talk to it means "not up yet"
                last_error = f"{type(err).__name__}: {err}"
            if time.monotonic() > deadline:
                raise SecretServiceError(f"no Secret Service after {START_TIMEOUT_S:.0f} s: {last_error}")
            time.sleep(0.05)  # polling for a condition, with the generous deadline above
        yield SecretServiceSession(address=address, env=env)
