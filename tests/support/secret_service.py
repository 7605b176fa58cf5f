"""A real Secret Service for tests: gnome-keyring on a private D-Bus session bus.

:func:`private_secret_service` starts ``dbus-daemon`` (a session bus listening in a fresh folder)
and ``gnome-keyring-daemon --unlock --components=secrets`` on it, with the login keyring created
and unlocked from a password on stdin and kept under the given home's ``XDG_DATA_HOME``. Both run
in the foreground as our own children and are stopped by their process ids afterwards.

The bus has no service directories: nothing is started by D-Bus activation. (With the standard
session configuration, gnome-keyring's own start-up could activate a second daemon, ours alone
to stop, and a call could wait on it forever.) The daemons write to files, never to a pipe that
nobody reads.
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

#: A session bus that starts nothing by activation and lets our own processes do anything.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={run_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


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


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


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
        config = run_dir / "bus.conf"
        config.write_text(BUS_CONFIG.format(run_dir=run_dir), encoding="utf-8")
        bus_out, bus_err, keyring_err = run_dir / "bus.out", run_dir / "bus.err", run_dir / "keyring.err"
        with open(bus_out, "wb") as out, open(bus_err, "wb") as err:
            bus = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
            )
        stack.callback(_stop, bus)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _text(bus_out):  # the address is printed once the bus listens
            if bus.poll() is not None or time.monotonic() > deadline:
                raise SecretServiceError(f"dbus-daemon did not start (exit {bus.poll()}): {_text(bus_err)}")
            time.sleep(0.02)  # polling for a condition, with the generous deadline above
        address = _text(bus_out).splitlines()[0]
        env["DBUS_SESSION_BUS_ADDRESS"] = address

        with open(keyring_err, "wb") as err:
            keyring_daemon = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=err,
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
                    f"gnome-keyring-daemon exited ({keyring_daemon.returncode}): {_text(keyring_err)}"
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
                raise SecretServiceError(
                    f"no Secret Service after {START_TIMEOUT_S:.0f} s: {last_error}; {_text(keyring_err)}"
                )
            time.sleep(0.05)  # polling for a condition, with the generous deadline above
        yield SecretServiceSession(address=address, env=env)
