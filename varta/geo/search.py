"""Normalisation of place names for prefix search in Ukrainian and English."""

from __future__ import annotations

import unicodedata

_APOSTROPHES = str.maketrans("", "", "'’ʼ`´\"")


def normalise(name: str) -> str:
    """Lower-case, strip apostrophes and accents (but keep Cyrillic letters such as й, ї), collapse spaces."""
    text = name.translate(_APOSTROPHES).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Drop combining marks on Latin letters only: й and ї must stay distinct Cyrillic letters.
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and "a" <= out[-1] <= "z":
            continue
        out.append(ch)
    return " ".join(unicodedata.normalize("NFC", "".join(out)).replace("-", " ").split())
