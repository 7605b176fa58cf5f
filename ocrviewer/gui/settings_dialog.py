"""Preferences (Ctrl+,): provider endpoints, auth mode, folder id, secrets, and GUI preferences.

Where things go:

* secrets (Yandex API key / IAM token, Azure key) -> the system keyring through
  :class:`ocrviewer.providers.credentials.CredentialStore`; never shown back (a "stored"
  placeholder instead), never written to QSettings or any plain file;
* the Yandex folder ID -> the same store (that is where the providers and ``ocrviewer
  credentials`` look for it; it is not secret);
* endpoints -> ``providers.json`` (:mod:`ocrviewer.providers.settings`), shared with
  ``ocrviewer recognize`` so the command line and the viewer call the same service;
* GUI preferences (theme, dim|hide, default provider, Yandex auth mode) -> QSettings.

"Test connection" runs :func:`ocrviewer.providers.readiness.check_connection` in the background.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.errors import BadInput, OcrViewerError, error_message
from ocrviewer.gui.settings_keys import BELOW_THRESHOLD_KEY, PROVIDER_KEY, THEME_KEY, YANDEX_AUTH_KEY
from ocrviewer.gui.theme import set_tone
from ocrviewer.gui.wording import gui_advice
from ocrviewer.gui.worker import Worker, Workers
from ocrviewer.providers.base import KNOWN_PROVIDERS
from ocrviewer.providers.http import ca_bundle_problem
from ocrviewer.providers.readiness import TEST_TOTAL_S, check_connection
from ocrviewer.providers.settings import as_bool, load_settings

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))
AUTH_MODES = (("API key", "api_key"), ("IAM token + folder ID", "iam_token"))
STORED = "•••••• stored — type to replace"
NOT_SET = "not set"
NO_KEYRING_NOTE = (
    "No system keyring: no Secret Service (GNOME Keyring, KWallet) is running and unlocked. A key saved "
    "here is kept in memory until the viewer closes, never in a file. To keep keys, install or unlock "
    "GNOME Keyring or KWallet and restart the viewer, or start it with the key in OCRVIEWER_AZURE_KEY, "
    "OCRVIEWER_YANDEX_API_KEY or OCRVIEWER_YANDEX_IAM_TOKEN."
)


class SecretField(QWidget):
    """A password box that never shows a stored value: placeholder "stored", Save and Clear buttons."""

    changed = Signal()

    def __init__(self, store: Any, group: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.group, self.name = store, group, name
        self.edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.edit.setObjectName(f"secret_{group}_{name}")
        self.save_button = QPushButton("Save")
        self.clear_button = QPushButton("Clear")
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_tone(self.note, "muted")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)
        self.edit.textChanged.connect(lambda t: self.save_button.setEnabled(bool(t.strip())))
        self.edit.returnPressed.connect(self.save)
        self.refresh()

    def is_stored(self) -> bool:
        return bool(self.store.get(self.group, self.name))

    def refresh(self, note: str = "") -> None:
        stored = self.is_stored()
        self.edit.clear()
        self.edit.setPlaceholderText(STORED if stored else NOT_SET)
        self.save_button.setEnabled(False)
        self.clear_button.setEnabled(stored)
        var = self.store.env_var(self.group, self.name)
        if var and os.environ.get(var, "").strip():
            note = note or f"{var} is set in the environment and overrides the stored value"
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def save(self) -> None:
        value = self.edit.text().strip()
        if not value:
            return
        try:
            where = self.store.set(self.group, self.name, value)
        except OcrViewerError as err:
            self.refresh(str(err))
            return
        self.refresh(f"Saved in {where}")
        self.changed.emit()

    def clear(self) -> None:
        self.store.delete(self.group, self.name)
        self.refresh("Cleared")
        self.changed.emit()


#: Azure Read's upload size: the free tier's, and the most a paid tier takes
READ_MAX_MB_DEFAULT = 4.0
READ_MAX_MB_LIMIT = 500.0


def _read_max_mb(value: Any) -> float:
    """The saved azure.read_max_mb, or the default where it is absent or no usable number (the
    dialog reports a broken settings file on its own)."""
    try:
        number = float(value) if value is not None else READ_MAX_MB_DEFAULT
    except (TypeError, ValueError):
        return READ_MAX_MB_DEFAULT
    return number if 0 < number <= READ_MAX_MB_LIMIT else READ_MAX_MB_DEFAULT


class PreferencesDialog(QDialog):
    """Tabs for Yandex, Azure and the viewer; OK/Apply save endpoints and preferences."""

    def __init__(
        self,
        settings: QSettings,
        credentials: Any,
        provider_settings: Callable[[], Mapping[str, Any]],
        save_provider_settings: Callable[[Mapping[str, Any]], Any] | None = None,
        parent: QWidget | None = None,
        workers: Workers | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> None:
        """``titles``: each provider's name for people (the Recognition panel's), by its key."""
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferencesDialog")
        self.settings = settings
        self.store = credentials
        self.provider_settings = provider_settings
        if save_provider_settings is None:
            from ocrviewer.providers.settings import save_settings

            save_provider_settings = save_settings
        self.save_provider_settings = save_provider_settings
        #: the window's workers (a dialog on its own gets a pool of its own); its tests are cancelled on close
        self.runner = workers or Workers(QThreadPool(self), parent=self)
        self._tests: list[Worker] = []
        self.secret_fields: dict[tuple[str, str], SecretField] = {}
        self.test_labels: dict[str, QLabel] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.test_jobs: dict[str, Any] = {}  # the running connection test per provider
        current = dict(provider_settings())

        # -- Yandex
        self.yandex_ocr = QLineEdit(current.get("yandex.ocr_endpoint", "") or "")
        self.yandex_ocr.setPlaceholderText("https://ocr.api.cloud.yandex.net")
        self.yandex_operation = QLineEdit(current.get("yandex.operation_endpoint", "") or "")
        self.yandex_operation.setPlaceholderText("https://operation.api.cloud.yandex.net")
        self.yandex_auth = QComboBox()
        for label, value in AUTH_MODES:
            self.yandex_auth.addItem(label, value)
        mode = str(
            settings.value(YANDEX_AUTH_KEY, "")
            or ("iam_token" if self._has("yandex", "iam_token") else "api_key")
        )
        self.yandex_auth.setCurrentIndex(max(0, self.yandex_auth.findData(mode)))
        self.yandex_folder = QLineEdit(credentials.get("yandex", "folder_id") or "")
        self.yandex_folder.setPlaceholderText("b1g… (needed with an IAM token)")
        self.yandex_logging = QCheckBox("Let Yandex log request data (x-data-logging-enabled)")
        self.yandex_logging.setChecked(as_bool(current.get("yandex.data_logging", False)))
        key_field = self._secret("yandex", "api_key")
        token_field = self._secret("yandex", "iam_token")
        self.yandex_order_note = QLabel()
        self.yandex_order_note.setWordWrap(True)
        yform = QFormLayout()
        yform.addRow("OCR endpoint:", self.yandex_ocr)
        yform.addRow("Operation endpoint:", self.yandex_operation)
        yform.addRow("Authentication:", self.yandex_auth)
        yform.addRow("API key:", key_field)
        yform.addRow("IAM token:", token_field)
        yform.addRow("Folder ID:", self.yandex_folder)
        yform.addRow("", self.yandex_order_note)
        yform.addRow("", self.yandex_logging)
        self._yandex_form = yform
        yandex = self._tab(yform, "yandex")

        # -- Azure
        self.azure_endpoint = QLineEdit(current.get("azure.endpoint", "") or "")
        self.azure_endpoint.setPlaceholderText("https://NAME.cognitiveservices.azure.com")
        aform = QFormLayout()
        aform.addRow("Endpoint:", self.azure_endpoint)
        aform.addRow("Key:", self._secret("azure", "key"))
        self.azure_read_max_mb = QDoubleSpinBox()
        self.azure_read_max_mb.setObjectName("azureReadMaxMb")
        self.azure_read_max_mb.setRange(0.1, READ_MAX_MB_LIMIT)  # the box refuses anything else
        self.azure_read_max_mb.setDecimals(1)
        self.azure_read_max_mb.setSuffix(" MB")
        self.azure_read_max_mb.setValue(_read_max_mb(current.get("azure.read_max_mb")))
        self.azure_read_max_mb.setToolTip(
            "The largest image or PDF sent to Azure Read: a bigger one is shrunk (an image) or refused "
            f"before it is sent. {READ_MAX_MB_DEFAULT:g} MB on the free tier, up to {READ_MAX_MB_LIMIT:g} MB on "
            "a paid tier; lower it if Azure answers 413 (too large). Saved as azure.read_max_mb."
        )
        aform.addRow("Largest upload (Read):", self.azure_read_max_mb)
        azure = self._tab(aform, "azure-read")

        # -- viewer
        self.theme_combo = QComboBox()
        for label, value in THEMES:
            self.theme_combo.addItem(label, value)
        self.theme_combo.setCurrentIndex(
            max(0, self.theme_combo.findData(settings.value(THEME_KEY, "system")))
        )
        self.below_combo = QComboBox()
        self.below_combo.addItem("Dim them", "dim")
        self.below_combo.addItem("Hide them", "hide")
        self.below_combo.setCurrentIndex(
            max(0, self.below_combo.findData(settings.value(BELOW_THRESHOLD_KEY, "dim")))
        )
        self.provider_combo = QComboBox()
        for name in KNOWN_PROVIDERS:  # as the Recognition panel names them ("local" said nothing)
            self.provider_combo.addItem((titles or {}).get(name, name), name)
        self.provider_combo.setCurrentIndex(
            max(0, self.provider_combo.findData(settings.value(PROVIDER_KEY, "local")))
        )
        vform = QFormLayout()
        vform.addRow("Theme:", self.theme_combo)
        vform.addRow("Words under the threshold:", self.below_combo)
        vform.addRow("Default provider:", self.provider_combo)
        viewer = QWidget()
        viewer.setLayout(vform)

        # -- network (both services)
        self.ca_bundle = QLineEdit(str(current.get("http.ca_bundle", "") or ""))
        self.ca_bundle.setObjectName("caBundle")
        self.ca_bundle.setPlaceholderText("the system's (leave empty)")
        self.ca_bundle.setToolTip(
            "A PEM file of the CA certificates to trust instead of the system's, such as a company proxy's. "
            "Saved as http.ca_bundle."
        )
        self.ca_bundle_browse = QPushButton("Browse…")
        self.ca_bundle_browse.clicked.connect(self._browse_ca_bundle)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.ca_bundle_browse)
        ca_box = QWidget()
        ca_box.setLayout(ca_row)
        nform = QFormLayout()
        nform.addRow("CA certificates:", ca_box)
        network = QWidget()
        network.setLayout(nform)

        self.tabs = QTabWidget()
        self.tabs.addTab(yandex, "Yandex")
        self.tabs.addTab(azure, "Azure")
        self.tabs.addTab(network, "Network")
        self.tabs.addTab(viewer, "Viewer")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        #: said before a key is typed: where a saved key goes when there is no system keyring
        self.keyring_note = QLabel(NO_KEYRING_NOTE)
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.keyring_note, "warning")
        self.keyring_note.setVisible(not self._keyring_usable())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.tabs)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)

        self.yandex_auth.currentIndexChanged.connect(self._auth_mode_changed)
        for field in self.secret_fields.values():
            field.changed.connect(self._auth_mode_changed)
        self._auth_mode_changed()
        self._report_broken_settings_file()
        self.resize(560, 420)

    def _browse_ca_bundle(self) -> None:
        start = os.path.dirname(os.path.expanduser(self.ca_bundle.text().strip())) or os.path.expanduser("~")
        path, _ = QFileDialog.getOpenFileName(
            self, "CA certificates (PEM)", start, "PEM certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)

    def _report_broken_settings_file(self) -> None:
        try:
            load_settings()
        except OcrViewerError as err:  # the providers use their defaults meanwhile
            set_tone(self.message_label, "error")
            self.message_label.setText(str(err))

    def _keyring_usable(self) -> bool:
        check = getattr(self.store, "keyring_usable", None)
        if check is None:
            return True
        try:
            return bool(check())
        except Exception:  # a broken keyring plugin: as good as none
            return False

    # -- building -------------------------------------------------------------------------------
    def _has(self, group: str, name: str) -> bool:
        return bool(self.store.get(group, name))

    def _secret(self, group: str, name: str) -> SecretField:
        field = SecretField(self.store, group, name)
        self.secret_fields[(group, name)] = field
        return field

    def _tab(self, form: QFormLayout, provider: str) -> QWidget:
        button = QPushButton("Test connection")
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button.clicked.connect(lambda: self.test_connection(provider))
        button.setMinimumWidth(button.sizeHint().width())  # "Cancel" while testing: same size
        self.test_buttons[provider] = button
        self.test_labels[provider] = label
        row = QHBoxLayout()
        row.addWidget(button)
        row.addWidget(label, 1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _auth_mode_changed(self) -> None:
        iam = self.yandex_auth.currentData() == "iam_token"
        form = self._yandex_form
        form.setRowVisible(self.secret_fields[("yandex", "api_key")], not iam)
        form.setRowVisible(self.secret_fields[("yandex", "iam_token")], iam)
        form.setRowVisible(self.yandex_folder, iam)
        note = ""
        if iam and self._has("yandex", "api_key"):
            note = "An API key is also stored and is used first; clear it (API key mode) to use the token."
        self.yandex_order_note.setText(note)
        form.setRowVisible(self.yandex_order_note, bool(note))

    # -- saving ----------------------------------------------------------------------------------
    def endpoint_values(self) -> dict[str, Any]:
        """What goes to providers.json (None removes a key, so the public default applies)."""
        return {
            "yandex.ocr_endpoint": self.yandex_ocr.text().strip() or None,
            "yandex.operation_endpoint": self.yandex_operation.text().strip() or None,
            "yandex.data_logging": True if self.yandex_logging.isChecked() else None,
            "azure.endpoint": self.azure_endpoint.text().strip() or None,
            "http.ca_bundle": self.ca_bundle.text().strip() or None,
            # the default is not written: the file keeps only what was changed
            "azure.read_max_mb": None
            if math.isclose(self.azure_read_max_mb.value(), READ_MAX_MB_DEFAULT)
            else self.azure_read_max_mb.value(),
        }

    def apply(self) -> bool:
        """Save endpoints, folder ID and GUI preferences; False (with a message) if something is wrong."""
        try:
            ca_bundle = self.ca_bundle.text().strip()
            problem = ca_bundle_problem(ca_bundle) if ca_bundle else None
            if problem:  # a missing or non-PEM file: one line, nothing saved, nothing sent
                raise BadInput(
                    f"CA certificates: {ca_bundle!r} {problem}; choose a PEM file of CA certificates "
                    "(Browse…), or empty the field to trust the system's"
                )
            self.save_provider_settings(self.endpoint_values())
            folder = self.yandex_folder.text().strip()
            if folder:
                self.store.set("yandex", "folder_id", folder)
            elif self._has("yandex", "folder_id"):
                self.store.delete("yandex", "folder_id")
        except OcrViewerError as err:
            set_tone(self.message_label, "error")
            self.message_label.setText(str(err))
            return False
        self.settings.setValue(YANDEX_AUTH_KEY, self.yandex_auth.currentData())
        self.settings.setValue(THEME_KEY, self.theme_combo.currentData())
        self.settings.setValue(BELOW_THRESHOLD_KEY, self.below_combo.currentData())
        self.settings.setValue(PROVIDER_KEY, self.provider_combo.currentData())
        self.settings.sync()
        self.message_label.setStyleSheet("")
        self.message_label.setText("Saved")
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def done(self, result: int) -> None:
        for job in self._tests:
            job.cancel()
        super().done(result)

    # -- test connection ----------------------------------------------------------------------------
    def test_connection(self, provider: str) -> None:
        """Check ``provider`` with the endpoints typed here (saved or not), in the background.

        While it runs the button reads Cancel; cancelling shows so at once and drops the late answer.
        """
        running = self.test_jobs.pop(provider, None)
        if running is not None:
            running.cancel()
            self.test_labels[provider].setStyleSheet("")
            self.test_labels[provider].setText("Cancelled")
            self.test_buttons[provider].setText("Test connection")
            return
        settings = dict(self.provider_settings())
        for key, value in self.endpoint_values().items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        label, button = self.test_labels[provider], self.test_buttons[provider]
        label.setStyleSheet("")
        label.setText(f"Testing… (at most {TEST_TOTAL_S:.0f} s)")
        button.setText("Cancel")

        def current() -> bool:
            """True (once) for the answer of the test still wanted; the test is then over."""
            if self.test_jobs.get(provider) is not job:
                return False
            del self.test_jobs[provider]
            button.setText("Test connection")
            return True

        def ok(text: str) -> None:
            if not current():
                return
            set_tone(label, "ok")
            label.setText(f"✔ {text}")

        def failed(err: BaseException) -> None:
            if not current():
                return
            set_tone(label, "error")
            label.setText(f"✘ {gui_advice(error_message(err), in_preferences=True)}")

        def finished() -> None:
            if self.test_jobs.get(provider) is job:  # ended without an answer
                current()

        job = self.runner.submit(
            lambda cancel, progress: check_connection(provider, settings, cancel, progress),
            name=f"test {provider}",
            on_result=ok,
            on_error=failed,
            on_finished=finished,
        )
        self.test_jobs[provider] = job
        self._tests = [j for j in self._tests if not j.done]
        self._tests.append(job)  # cancelled when the dialog closes
