"""CancelToken: cancelling runs every hook, whatever one of them does."""

from __future__ import annotations

from ocrviewer.providers.base import CancelToken


def test_a_failing_cancel_callback_is_logged_and_the_others_still_run(caplog) -> None:
    """A cancel hook that raises (a socket already closed) must not stop the cancel, nor vanish unsaid."""
    token = CancelToken()
    ran: list[str] = []

    def broken() -> None:
        raise OSError("already closed")

    token.on_cancel(broken)
    token.on_cancel(lambda: ran.append("second"))
    with caplog.at_level("DEBUG", logger="ocrviewer.providers.base"):
        token.cancel()
    assert token.cancelled and ran == ["second"]
    assert [r.getMessage() for r in caplog.records] == ["a cancel callback failed"]
    assert "already closed" in caplog.text
