"""Normalisation of place names for prefix search in Ukrainian and English."""

from __future__ import annotations

import unicodedata

_APOSTROPHES = str.maketrans("", "", "'’ʼ`´\"")


def is_pcode_shaped(code: str) -> bool:
    """P-codes are ASCII letters and digits; anything else is unknown without asking the database."""
    return 0 < len(code) <= 20 and code.isascii() and code.isalnum()


def normalise(name: str) -> str:
    """Lower-case, strip apostrophes and accents (but keep Cyrillic letters such as й, ї), collapse spaces."""
    # Control characters (NUL above all, which PostgreSQL refuses in text) never belong to a name.
    text = "".join(ch for ch in name.translate(_APOSTROPHES) if unicodedata.category(ch) != "Cc").casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Drop combining marks on Latin letters only: й and ї must stay distinct Cyrillic letters.
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and "a" <= out[-1] <= "z":
            continue
        out.append(ch)
    return " ".join(unicodedata.normalize("NFC", "".join(out)).replace("-", " ").split())
