"""Secrets for cloud providers: environment first, then the system keyring (service ``ocrviewer``).

With no usable keyring backend (headless Linux), a secret that is set is kept in memory for this
run only, and the user is told so once. A secret is never written to a plain file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING

from ocrviewer.errors import BadInput

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger("ocrviewer.providers.credentials")

SERVICE = "ocrviewer"

#: (group, field) -> environment variable that overrides the keyring.
ENV_VARS: dict[tuple[str, str], str] = {
    ("yandex", "api_key"): "OCRVIEWER_YANDEX_API_KEY",
    ("yandex", "iam_token"): "OCRVIEWER_YANDEX_IAM_TOKEN",
    ("yandex", "folder_id"): "OCRVIEWER_YANDEX_FOLDER_ID",
    ("azure", "key"): "OCRVIEWER_AZURE_KEY",
    ("azure", "endpoint"): "OCRVIEWER_AZURE_ENDPOINT",
}

#: Fields that are secret (a folder id or an endpoint is not, but lives here for convenience).
SECRET_FIELDS = frozenset({("yandex", "api_key"), ("yandex", "iam_token"), ("azure", "key")})

#: Provider name -> credential group.
GROUPS: dict[str, str] = {
    "yandex": "yandex",
    "yandex-async": "yandex",
    "azure": "azure",
    "azure-read": "azure",
    "azure-image-analysis": "azure",
}


def group_of(provider: str) -> str:
    """The credential group of a provider name ("yandex-async" -> "yandex")."""
    try:
        return GROUPS[provider]
    except KeyError:
        raise BadInput(
            f"provider {provider!r} takes no credentials; choose one of: {', '.join(sorted(GROUPS))}"
        ) from None


#: Backends that keep secrets in a plain file (keyrings.alt): never used for a secret.
PLAIN_FILE_BACKENDS = frozenset({"keyrings.alt.file.PlaintextKeyring"})


def _keyring() -> ModuleType:
    """The keyring package, imported on first use (it costs ~50 ms, off every command's start)."""
    import keyring
    import keyring.backend
    import keyring.errors

    return keyring


def _errors() -> ModuleType:
    import keyring.errors

    return keyring.errors


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _usable(backend: keyring.backend.KeyringBackend) -> bool:
    """False for keyring's 'fail' and 'null' backends, a chainer with no backends, and plain files."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if _backend_name(backend) in PLAIN_FILE_BACKENDS:
        return False
    if isinstance(backend, chainer.ChainerBackend):
        inner = list(backend.backends)
        return bool(inner) and all(_backend_name(b) not in PLAIN_FILE_BACKENDS for b in inner)
    return True


SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


def _secret_service_closed(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why a Secret Service keyring cannot be used without a prompt, or None when it can (or is not one).

    keyring's SecretService backend unlocks a locked keyring, or creates a missing default one, by asking
    the desktop's prompter, and waits for an answer: `ocrviewer providers` or opening Preferences then
    hung until someone typed a keyring password. Here such a keyring counts as not usable instead.
    """
    if _backend_name(backend) != SECRET_SERVICE_BACKEND:
        return None
    try:
        import secretstorage
        from secretstorage.collection import DEFAULT_COLLECTION
        from secretstorage.exceptions import ItemNotFoundException
    except ImportError:  # pragma: no cover - keyring's backend needs it
        return None
    try:
        connection = secretstorage.dbus_init()
    except Exception:  # noqa: BLE001 - no bus: keyring itself reports it
        return None
    try:
        path = getattr(backend, "preferred_collection", None) or DEFAULT_COLLECTION
        if secretstorage.Collection(connection, path).is_locked():
            return "the keyring is locked; unlock it (log out and in, or in Passwords and Keys)"
        return None
    except ItemNotFoundException:
        return "there is no default keyring yet; create one in Passwords and Keys (Seahorse)"
    except Exception:  # noqa: BLE001 - anything else: let keyring try and report
        return None
    finally:
        connection.close()


class CredentialStore:
    """Looks secrets up in the environment, then in memory (this run), then the keyring."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        backend: keyring.backend.KeyringBackend | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self._env = env  # None: read os.environ at call time
        self._backend = backend
        self._memory: dict[tuple[str, str], str] = {}
        self._notify = notify or (lambda message: log.warning("%s", message))
        self._told = False

    # -- backend

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else _keyring().get_keyring()

    def keyring_usable(self) -> bool:
        return self.keyring_problem() is None

    def keyring_problem(self) -> str | None:
        """Why secrets cannot go to the system keyring now (never asking the user), or None."""
        backend = self.backend
        if not _usable(backend):
            name = _backend_name(backend)
            plain = " keeps secrets in a plain file" if name in PLAIN_FILE_BACKENDS else ""
            return f"backend {name}{plain}"
        return _secret_service_closed(backend)

    def _no_keyring(self, why: str) -> None:
        if not self._told:
            self._told = True
            self._notify(f"no usable system keyring ({why}); the secret is kept in memory for this run only")

    def where(self) -> str:
        """Where a secret that is set now would be kept, for messages."""
        if self.keyring_usable():
            return f"the system keyring ({type(self.backend).__name__})"
        return "memory, for this run only (no system keyring)"

    # -- access

    def _environ(self) -> Mapping[str, str]:
        return os.environ if self._env is None else self._env

    def get(self, group: str, name: str) -> str | None:
        """The value, or None. Environment variables win over stored values."""
        var = ENV_VARS.get((group, name))
        if var:
            value = self._environ().get(var, "").strip()
            if value:
                return value
        if (group, name) in self._memory:
            return self._memory[(group, name)]
        if not self.keyring_usable():
            return None
        try:
            return self.backend.get_password(SERVICE, f"{group}.{name}")
        except _errors().KeyringError as err:
            self._no_keyring(err.__class__.__name__)
            return None

    def set(self, group: str, name: str, value: str) -> str:
        """Store a value; returns where it went (keyring, or memory for this run)."""
        value = value.strip()
        if not value:
            raise BadInput(f"empty value for {group} {name.replace('_', ' ')}; nothing stored")
        problem = self.keyring_problem()
        if problem is None:
            try:
                self.backend.set_password(SERVICE, f"{group}.{name}", value)
                self._memory.pop((group, name), None)
                return self.where()
            except _errors().KeyringError as err:
                self._no_keyring(err.__class__.__name__)
        else:
            self._no_keyring(problem)
        self._memory[(group, name)] = value
        return "memory, for this run only (no system keyring)"

    def delete(self, group: str, name: str) -> bool:
        """Forget a stored value; True if there was one."""
        found = self._memory.pop((group, name), None) is not None
        if self.keyring_usable():
            try:
                self.backend.delete_password(SERVICE, f"{group}.{name}")
                found = True
            except _errors().PasswordDeleteError:
                pass
            except _errors().KeyringError as err:
                self._no_keyring(err.__class__.__name__)
        return found

    def env_var(self, group: str, name: str) -> str | None:
        return ENV_VARS.get((group, name))

    def secrets(self) -> tuple[str, ...]:
        """Every secret value currently known, so messages can be scrubbed of them."""
        values = (self.get(g, n) for g, n in SECRET_FIELDS)
        return tuple(v for v in values if v)
