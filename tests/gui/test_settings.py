"""Preferences: secrets go to the keyring only, endpoints to providers.json, preferences to QSettings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDoubleSpinBox, QMainWindow

from ocrviewer.gui.docks import DockContext, install_docks
from ocrviewer.gui.settings_dialog import NOT_SET, STORED, PreferencesDialog
from ocrviewer.gui.state import ViewerState
from ocrviewer.providers.credentials import SERVICE, CredentialStore
from ocrviewer.providers.http import HttpConfig, RetryPolicy
from ocrviewer.providers.settings import load_settings, settings_path
from tests.providers.servers import AZURE_KEY, YANDEX_IAM, FakeCloud

SECRET = "super-secret-azure-key-123"


@pytest.fixture
def ini(tmp_path) -> Path:
    return tmp_path / "gui.ini"


@pytest.fixture
def context(ini) -> DockContext:
    return DockContext(
        settings=QSettings(str(ini), QSettings.Format.IniFormat),
        credentials=CredentialStore(env={}),
        provider_settings={
            "http": HttpConfig(policy=RetryPolicy(connect_timeout=10, read_timeout=30, max_retries=0))
        },
    )


@pytest.fixture
def dialog(qtbot, context) -> PreferencesDialog:
    d = PreferencesDialog(context.settings, context.credential_store(), context.settings_for_providers)
    qtbot.addWidget(d)
    d.show()
    return d


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud()
    yield server
    server.close()


def test_secret_goes_to_keyring_never_to_settings_files(qtbot, dialog, memory_keyring, ini, context):
    field = dialog.secret_fields[("azure", "key")]
    assert field.edit.placeholderText() == NOT_SET
    field.edit.setText(SECRET)
    field.save_button.click()
    assert memory_keyring.store[(SERVICE, "azure.key")] == SECRET
    # never shown back in clear
    assert field.edit.text() == ""
    assert field.edit.placeholderText() == STORED
    assert field.edit.echoMode() == field.edit.EchoMode.Password
    dialog.azure_endpoint.setText("https://example.cognitiveservices.azure.com")
    assert dialog.apply()
    context.settings.sync()
    for path in (ini, settings_path()):
        assert path.is_file()
        assert SECRET not in path.read_text(encoding="utf-8")
    assert load_settings()["azure.endpoint"] == "https://example.cognitiveservices.azure.com"
    field.clear_button.click()
    assert (SERVICE, "azure.key") not in memory_keyring.store
    assert field.edit.placeholderText() == NOT_SET


def test_preferences_keep_the_secret_in_the_real_keyring_only(
    qtbot,
    dialog,
    secret_service,
    ini,
    context,
    isolated_qsettings,  # noqa: ANN001
):
    """Against gnome-keyring on a private bus: Save stores it there, Clear deletes it there."""
    import os

    from tests.providers.test_real_keyring import files_holding

    field = dialog.secret_fields[("azure", "key")]
    field.edit.setText(SECRET)
    field.save_button.click()
    assert secret_service.stored(SERVICE, "azure.key") == [SECRET.encode()]
    assert "system keyring" in field.note.text() and field.edit.placeholderText() == STORED
    assert CredentialStore(env={}).get("azure", "key") == SECRET  # read back by a new run
    dialog.azure_endpoint.setText("https://example.cognitiveservices.azure.com")
    assert dialog.accept() is None and dialog.result() == dialog.DialogCode.Accepted
    context.settings.sync()
    home = Path(os.environ["HOME"])
    assert ini.is_file() and settings_path().is_file()
    assert files_holding(SECRET, home, isolated_qsettings, ini.parent) == []
    reopened = PreferencesDialog(context.settings, CredentialStore(env={}), context.settings_for_providers)
    qtbot.addWidget(reopened)
    field = reopened.secret_fields[("azure", "key")]
    assert field.edit.placeholderText() == STORED and field.edit.text() == ""  # never shown back
    field.clear_button.click()
    assert secret_service.stored(SERVICE, "azure.key") == []
    assert field.edit.placeholderText() == NOT_SET


def test_an_endpoint_pasted_with_its_key_is_refused_and_never_saved(dialog, context):
    """Azure's documented ``?subscription-key=`` (or a user:password) in the endpoint box would sit in
    providers.json in clear: Apply says where a key goes instead, and saves nothing."""
    dialog.azure_endpoint.setText(f"https://example.cognitiveservices.azure.com/?subscription-key={SECRET}")
    assert not dialog.apply()
    said = dialog.message_label.text()
    assert "keyring" in said and "subscription-key=…" in said and SECRET not in said and "\n" not in said
    assert not settings_path().exists() or SECRET not in settings_path().read_text(encoding="utf-8")
    dialog.azure_endpoint.setText("https://example.cognitiveservices.azure.com")
    assert dialog.apply()
    assert load_settings()["azure.endpoint"] == "https://example.cognitiveservices.azure.com"


def test_yandex_auth_modes_and_folder_id(qtbot, dialog, memory_keyring, context):
    dialog.yandex_auth.setCurrentIndex(dialog.yandex_auth.findData("iam_token"))
    token = dialog.secret_fields[("yandex", "iam_token")]
    assert token.isVisibleTo(dialog) and dialog.yandex_folder.isVisibleTo(dialog)
    assert not dialog.secret_fields[("yandex", "api_key")].isVisibleTo(dialog)
    token.edit.setText(YANDEX_IAM)
    token.save_button.click()
    dialog.yandex_folder.setText("b1gfolder")
    assert dialog.apply()
    assert memory_keyring.store[(SERVICE, "yandex.iam_token")] == YANDEX_IAM
    assert context.credential_store().get("yandex", "folder_id") == "b1gfolder"
    assert context.settings.value("providers/yandex/auth_mode") == "iam_token"


def test_viewer_preferences_in_qsettings(dialog, context):
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.below_combo.setCurrentIndex(dialog.below_combo.findData("hide"))
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("azure-read"))
    dialog.accept()
    s = context.settings
    assert (
        s.value("view/theme"),
        s.value("overlay/below_threshold"),
        s.value("recognition/provider"),
    ) == (
        "dark",
        "hide",
        "azure-read",
    )


def test_test_connection_accepts_good_key_and_reports_bad_one(qtbot, dialog, cloud):
    dialog.azure_endpoint.setText(cloud.url)
    field = dialog.secret_fields[("azure", "key")]
    field.edit.setText(AZURE_KEY)
    field.save_button.click()
    label, button = dialog.test_labels["azure-read"], dialog.test_buttons["azure-read"]

    def checked() -> (
        bool
    ):  # the answer is shown and the check has finished (a disabled button ignores clicks)
        return label.text().startswith(("✔", "✘")) and button.isEnabled()

    button.click()
    qtbot.waitUntil(checked, timeout=30000)
    assert label.text().startswith("✔ Connected"), label.text()
    assert cloud.requests[-1].path.startswith("/vision/v3.2/read/analyzeResults/")
    field.edit.setText("bad-key")
    field.save_button.click()
    button.click()
    assert label.text().startswith("Testing…")
    qtbot.waitUntil(checked, timeout=30000)
    assert label.text().startswith("✘") and "key" in label.text().lower()
    assert "bad-key" not in label.text()


def test_ctrl_comma_opens_preferences_and_reloads_providers(qtbot, context, cloud):
    window = QMainWindow()
    qtbot.addWidget(window)
    install_docks(window, ViewerState(), context)
    recognition = context.panels["recognition"]
    qtbot.waitUntil(lambda: recognition.ready, timeout=30000)
    assert recognition.reasons["azure-read"]  # no endpoint, no key yet
    action = context.actions["preferences"]
    assert action.shortcut().toString() == "Ctrl+,"
    action.trigger()
    dialog = context.panels["preferences"]
    # the Viewer tab names the default provider as the panel does ("local" said nothing)
    combo = dialog.provider_combo
    assert combo.itemText(combo.findData("local")) == "Local engine (RapidOCR, offline)"
    assert combo.itemText(combo.findData("azure-read")) == "Azure Read"
    dialog.azure_endpoint.setText(cloud.url)
    dialog.secret_fields[("azure", "key")].edit.setText(AZURE_KEY)
    dialog.secret_fields[("azure", "key")].save_button.click()
    dialog.accept()
    qtbot.waitUntil(lambda: recognition.ready, timeout=30000)
    assert recognition.reasons["azure-read"] is None
    assert json.loads(settings_path().read_text())["azure.endpoint"] == cloud.url


def test_broken_providers_file_is_reported_not_fatal(qtbot, context):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    d = PreferencesDialog(context.settings, context.credential_store(), context.settings_for_providers)
    qtbot.addWidget(d)
    assert str(path) in d.message_label.text() and "fix or delete" in d.message_label.text()
    assert d.apply() is False  # nothing is written over the user's file
    assert path.read_text(encoding="utf-8") == "{not json"


def test_test_connection_yandex_api_key(qtbot, dialog, cloud):
    from tests.providers.servers import YANDEX_KEY

    dialog.yandex_ocr.setText(cloud.url)
    field = dialog.secret_fields[("yandex", "api_key")]
    field.edit.setText(YANDEX_KEY)
    field.save_button.click()
    label, button = dialog.test_labels["yandex"], dialog.test_buttons["yandex"]

    def checked() -> (
        bool
    ):  # the answer is shown and the check has finished (a disabled button ignores clicks)
        return label.text().startswith(("✔", "✘")) and button.isEnabled()

    button.click()
    qtbot.waitUntil(checked, timeout=30000)
    assert label.text().startswith("✔ Connected"), label.text()
    assert cloud.requests[-1].headers["authorization"] == f"Api-Key {YANDEX_KEY}"
    field.edit.setText("bad-yc-key-981")
    field.save_button.click()
    button.click()
    qtbot.waitUntil(checked, timeout=30000)
    assert label.text().startswith("✘"), label.text()
    assert "key" in label.text().lower() and "bad-yc-key-981" not in label.text()


def test_test_connection_is_short_and_can_be_cancelled(qtbot, dialog):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # accepts connections, never answers
    try:
        dialog.azure_endpoint.setText(f"http://127.0.0.1:{silent.getsockname()[1]}")
        field = dialog.secret_fields[("azure", "key")]
        field.edit.setText(AZURE_KEY)
        field.save_button.click()
        button, label = dialog.test_buttons["azure-read"], dialog.test_labels["azure-read"]
        button.click()
        assert label.text().startswith("Testing") and button.text() == "Cancel"
        button.click()
        assert label.text() == "Cancelled" and button.text() == "Test connection"
        button.click()  # left alone, the test gives up after its short timeout (8 s in all)
        # within 40 s on a busy machine; the default read timeout (60 s) would run past it
        qtbot.waitUntil(lambda: label.text().startswith("✘"), timeout=40000)
        assert button.text() == "Test connection"
    finally:
        silent.close()


def test_test_connection_to_a_web_page_is_not_a_success(qtbot, dialog, cloud):
    """A wrong endpoint whose web server answers 404 with its own page: not "the key was accepted"."""
    from tests.providers.servers import Reply

    page = b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>"
    cloud.script("GET", "/vision/", Reply(404, page, {"Content-Type": "text/html"}))
    dialog.azure_endpoint.setText(cloud.url)
    field = dialog.secret_fields[("azure", "key")]
    field.edit.setText(AZURE_KEY)
    field.save_button.click()
    label, button = dialog.test_labels["azure-read"], dialog.test_buttons["azure-read"]
    button.click()
    qtbot.waitUntil(lambda: label.text().startswith(("✔", "✘")) and button.isEnabled(), timeout=30000)
    text = label.text()
    assert text.startswith("✘") and "web page ('404 Not Found')" in text and "endpoint" in text, text
    assert AZURE_KEY not in text


def test_without_a_keyring_the_dialog_says_so_before_a_key_is_typed(qtbot, context, tmp_path):
    """A desktop with no Secret Service (gnome-keyring absent or locked): the dialog says plainly that a key
    would last this run only and what to do; a saved key stays in memory and reaches no file."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        d = PreferencesDialog(context.settings, context.credential_store(), context.settings_for_providers)
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        note = d.keyring_note
        assert note.isVisible()
        assert "No system keyring" in note.text() and "GNOME Keyring" in note.text()
        assert "OCRVIEWER_AZURE_KEY" in note.text()
        field = d.secret_fields[("azure", "key")]
        field.edit.setText(SECRET)
        field.save_button.click()
        assert "memory, for this run only" in field.note.text()
        assert context.credential_store().get("azure", "key") == SECRET
        d.accept()
        context.settings.sync()
        assert not [p for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    finally:
        keyring.set_keyring(previous)


def test_with_a_keyring_the_dialog_has_no_missing_keyring_note(qtbot, memory_keyring, dialog):
    assert not dialog.keyring_note.isVisible()


def test_azure_read_upload_limit_is_set_in_preferences(qtbot, context) -> None:  # noqa: ANN001
    """A 413 from Azure Read says to lower azure.read_max_mb; the dialog had no way to."""
    from ocrviewer.providers.settings import save_settings

    save_settings({"azure.read_max_mb": 20})
    d = PreferencesDialog(context.settings, context.credential_store(), context.settings_for_providers)
    qtbot.addWidget(d)
    d.show()
    box = d.findChild(QDoubleSpinBox, "azureReadMaxMb")
    assert box is not None and box.value() == 20
    assert "413" in box.toolTip() and "free tier" in box.toolTip()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "9000")  # over the most a paid tier takes: the box keeps it in range
    box.interpretText()
    assert box.value() <= 500
    box.setValue(2.5)
    assert d.apply()
    assert load_settings()["azure.read_max_mb"] == 2.5
    box.setValue(4)  # the default: taken out of the file
    assert d.apply()
    assert "azure.read_max_mb" not in load_settings()


def test_the_ca_bundle_is_a_field_checked_before_it_is_saved(dialog, tmp_path):
    """Network tab: a missing file or one without a PEM certificate is one line and nothing is saved;
    a PEM file is saved as http.ca_bundle, and emptying the field removes the setting."""
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.ca_bundle.parentWidget().parentWidget()))
    assert dialog.ca_bundle.isVisibleTo(dialog) and dialog.ca_bundle_browse.text() == "Browse…"
    missing = tmp_path / "company-ca.pem"
    dialog.ca_bundle.setText(str(missing))
    assert not dialog.apply()
    said = dialog.message_label.text()
    assert "is no file" in said and "PEM" in said and "Browse" in said and "\n" not in said
    assert "http.ca_bundle" not in load_settings()
    missing.write_text("not a certificate\n", encoding="utf-8")
    assert not dialog.apply()
    assert "holds no PEM certificate" in dialog.message_label.text()
    assert "http.ca_bundle" not in load_settings()
    missing.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", encoding="utf-8")
    assert dialog.apply()
    assert load_settings()["http.ca_bundle"] == str(missing)
    dialog.ca_bundle.setText("")
    assert dialog.apply()
    assert "http.ca_bundle" not in load_settings()
