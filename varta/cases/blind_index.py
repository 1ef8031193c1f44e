"""Search-before-register without decrypting the table: keyed blind-index tokens of names and birth dates.

Method (docs/cases.md, "Finding a person again"):

1. **Normalise** each word of a name: Unicode NFKC, lower case, apostrophes dropped, Cyrillic transliterated to
   Latin (Ukrainian and Russian letters), diacritics stripped (Ševčenko → sevcenko).
2. **Phonetic skeleton**: digraphs folded (shch, sh, zh, ch, kh, ts…), then letters folded into classes that
   spellings of East-Slavic names confuse (h/g/kh, k/c/q, b/p, d/t, f/v/w, s/z and the sibilants) and vowels
   dropped, except that a leading vowel leaves one ``V``: Олександр, Oleksandr and Aleksandr all become
   ``VLKSNTR``; Шевченко and Shevchenko become ``SFSNK`` (Sevcenko ``SFKNK`` meets it by step 3).
3. **Tolerance to typos**: besides its skeleton, a word is indexed under every skeleton with one letter deleted
   (a deletion neighbourhood, in the same namespace as the skeletons), so one wrong, missing or extra consonant
   still meets. A word too short for a skeleton (Li, Mai) is indexed by its transliteration.
4. **Keyed tokens**: each skeleton is stored only as the first 96 bits of an HMAC-SHA256 under an index key derived
   from the data key (never the key itself), with the key's id; the date of birth likewise. Search computes the
   same tokens for the query under every key of the keyring (so rotation needs no downtime), ranks persons in SQL
   by how closely their tokens meet the query's (``query_weights``), and decrypts only the best candidates to
   rank them precisely.

Privacy trade-off: someone who holds the database but not the key sees which rows share a token (equal skeletons),
so could count frequent names; they cannot reverse a token without the key. The skeleton is coarse on purpose
(recall first); precision comes from ranking decrypted candidates, which happens only in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from django.conf import settings

from varta.core.crypto import key_id

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": "iu", "я": "ia", "ё": "e", "ы": "y", "э": "e", "ъ": "",
}
_APOSTROPHES = re.compile(r"['ʼ’`´]")
_WORDS = re.compile(r"[^\W\d_]+")

# Longest first: each pattern is replaced by one class letter (upper case marks "already folded").
_DIGRAPHS = (
    ("shch", "S"), ("sch", "S"), ("tch", "S"), ("sh", "S"), ("zh", "S"), ("ch", "S"), ("ts", "S"), ("tz", "S"),
    ("kh", "H"), ("ck", "K"), ("ph", "F"), ("x", "KS"), ("qu", "KV"),
)
_CLASSES = {
    "b": "P", "p": "P", "d": "T", "t": "T", "f": "F", "v": "F", "w": "F", "g": "H", "h": "H", "k": "K", "c": "K",
    "q": "K", "s": "S", "z": "S", "l": "L", "m": "M", "n": "N", "r": "R",
}
_VOWELS = frozenset("aeiouyj")


def transliterate(text: str) -> str:
    """Lower-case Latin letters and spaces only: 'Шевченко-Ґудзь' → 'shevchenko gudz'."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).lower())
    text = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(_WORDS.findall(text))


def skeleton(word: str) -> str:
    """The phonetic skeleton of one transliterated word (may be empty for a word of vowels only)."""
    for pattern, folded in _DIGRAPHS:
        word = word.replace(pattern, folded)
    out: list[str] = ["V"] if word[:1] in _VOWELS else []  # a leading vowel counts, once: Ivan FN ≠ Ivan VFN
    for ch in word:
        letter = ch if ch.isupper() else _CLASSES.get(ch, "" if ch in _VOWELS else ch.upper())
        if letter and (not out or out[-1] != letter):  # doubled letters fold: Hanna = Hana
            out.append(letter)
    return "".join(out)


def name_keys(*names: str) -> dict[str, str]:
    """Plain key → kind for every word of the given names.

    Kind ``n`` is a word's skeleton, ``d`` a skeleton with one letter deleted; both live in one namespace (``k:``),
    so a query's skeleton meets a stored deletion and the other way round (one letter missing or extra), and two
    deletions meet (one letter wrong). A word whose skeleton is shorter than two letters (Li, Mai, Chi) is indexed
    by its transliteration instead (kind ``w``): a skeleton of one letter would match half the organisation.
    """
    keys: dict[str, str] = {}
    for name in names:
        for word in transliterate(name).split():
            skel = skeleton(word)
            if len(skel) < 2:
                keys.setdefault("w:" + word, "w")
                continue
            keys["k:" + skel] = "n"
            if len(skel) >= 4:
                for i in range(len(skel)):
                    keys.setdefault("k:" + skel[:i] + skel[i + 1:], "d")
    return keys


def _index_key(data_key: bytes) -> bytes:
    return hmac.new(data_key, b"varta blind index v1", hashlib.sha256).digest()


@lru_cache(maxsize=8)
def _index_keys(keys: tuple[bytes, ...]) -> tuple[tuple[str, bytes], ...]:
    return tuple((key_id(k), _index_key(k)) for k in keys)


def index_keys() -> tuple[tuple[str, bytes], ...]:
    """(key id, index key) for every key of the keyring, newest first."""
    return _index_keys(tuple(settings.DATA_KEYS))


def token(index_key: bytes, plain: str) -> str:
    digest = hmac.new(index_key, plain.encode("utf-8"), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def plain_keys(*, names: Iterable[str], birth_date: str = "") -> dict[str, str]:
    keys = name_keys(*names)
    if birth_date:
        keys["b:" + birth_date] = "b"
    return keys


def tokens_for(*, names: Iterable[str], birth_date: str = "") -> list[tuple[str, str, str]]:
    """(key id, kind, token) rows to store for a person, under the newest key only."""
    kid, ikey = index_keys()[0]
    return [(kid, kind, token(ikey, plain))
            for plain, kind in sorted(plain_keys(names=names, birth_date=birth_date).items())]


def query_weights(*, names: Iterable[str], birth_date: str = "") -> dict[str, int]:
    """token → weight, for a query, under every key of the keyring (old tokens still match during rotation).

    A whole skeleton (or short word, or the date of birth) weighs 2, a one-deletion neighbour 1. The search
    multiplies this by the stored token's weight (the same rule) and sums per person: a whole skeleton meeting a
    whole one counts 4 (the same word), a whole one meeting a neighbour 2 (one letter missing or extra), two
    neighbours 1 (a letter wrong, or two letters off). So Олександр Шевенко finds Олександр Шевченко before a
    hundred namesakes called Олександр Шевчук.
    """
    plains = plain_keys(names=names, birth_date=birth_date)
    return {token(ikey, plain): 1 if kind == "d" else 2
            for _kid, ikey in index_keys() for plain, kind in plains.items()}


def similarity(query_names: Iterable[str], candidate_names: Iterable[str]) -> float:
    """0..1: how well the query's words match the candidate's, after transliteration (order-free)."""
    query = [w for n in query_names for w in transliterate(n).split()]
    candidate = [w for n in candidate_names for w in transliterate(n).split()]
    if not query or not candidate:
        return 0.0
    total = 0.0
    for word in query:
        best = max(max(SequenceMatcher(None, word, other).ratio(),
                       SequenceMatcher(None, skeleton(word), skeleton(other)).ratio()) for other in candidate)
        total += best
    return total / len(query)
