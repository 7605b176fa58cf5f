"""Small wording helpers for messages (no Qt)."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """'1 page', '2 pages', '0 pages' (``noun`` takes an 's' in the plural)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
