"""The Ukrainian catalogue: complete, compiled, faithful to its placeholders, and served to Ukrainian browsers."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext

import varta

PACKAGE = Path(varta.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
PO_PATH = LOCALE / "uk" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE / "uk" / "LC_MESSAGES" / "django.mo"
UK_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)

# %(name)s, %(count)d, %(text)r …; {name}; and the bare %s / %d of old-style strings (but not a literal "%%").
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}|(?<!%)%[sd]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

Key = tuple[str, str, str]  # (msgctxt, msgid, msgid_plural)


def _po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _translation(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def test_it_has_the_ukrainian_plural_rule() -> None:
    po = _po()
    assert po.metadata["Language"] == "uk"
    assert po.metadata["Plural-Forms"] == UK_PLURAL_FORMS
    assert not po.metadata_is_fuzzy


def test_it_translates_every_entry() -> None:
    po = _po()
    untranslated = [e.msgid for e in _live(po) if not all(_translation(e))]
    fuzzy = [e.msgid for e in _live(po) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    assert all(len(e.msgstr_plural) == 3 for e in _live(po) if e.msgid_plural)


def test_it_ships_a_compiled_catalogue_in_step_with_the_po_file() -> None:
    po, mo = _po(), polib.mofile(str(MO_PATH))
    from_po = {_key(e): _translation(e) for e in _live(po) if e.translated()}
    from_mo = {_key(e): _translation(e) for e in mo if e.msgid}
    assert from_mo == from_po, "django.mo is stale: run `manage.py compilemessages` after editing django.po"
    assert mo.metadata.get("Plural-Forms") == UK_PLURAL_FORMS


def test_it_keeps_every_placeholder_and_html_tag() -> None:
    wrong = []
    for entry in _live(_po()):
        sources = [entry.msgid_plural] * 3 if entry.msgid_plural else [entry.msgid]
        for source, target in zip(sources, _translation(entry), strict=True):
            if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(target)):
                wrong.append(("placeholders", entry.msgid, target))
            if Counter(HTML_TAG.findall(source)) != Counter(HTML_TAG.findall(target)):
                wrong.append(("HTML tags", entry.msgid, target))
            if source.endswith("\n") != target.endswith("\n") or source.endswith(" ") != target.endswith(" "):
                wrong.append(("trailing newline or space", entry.msgid, target))
    assert wrong == []


def test_it_picks_the_right_plural_form() -> None:
    with translation.override("uk"):
        forms = {n: ngettext("%(counter)s place found.", "%(counter)s places found.", n) % {"counter": n}
                 for n in (1, 3, 5, 11, 21, 22, 25)}
    assert forms == {
        1: "Знайдено 1 місце.", 3: "Знайдено 3 місця.", 5: "Знайдено 5 місць.", 11: "Знайдено 11 місць.",
        21: "Знайдено 21 місце.", 22: "Знайдено 22 місця.", 25: "Знайдено 25 місць.",
    }


@pytest.mark.django_db
def test_it_serves_the_login_page_in_ukrainian(client: Client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="uk")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="uk">' in html
    assert "Увійти" in html
    assert "Log in" not in html


def _copy_sources(destination: Path) -> None:
    """The files makemessages reads (.py, .html, .txt), without the catalogues."""
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE)
        if path.suffix in {".py", ".html", ".txt"} and path.is_file() and relative.parts[0] != "locale" \
                and "__pycache__" not in relative.parts:
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
                    reason="GNU gettext (xgettext, msgmerge) is not installed")
def test_it_has_every_string_of_the_code_in_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           settings) -> None:
    # makemessages writes next to the nearest "locale" directory: run it on a copy, so the real catalogue is
    # never touched.
    source = tmp_path / "varta"
    _copy_sources(source)
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["uk"], verbosity=0)

    fresh = {_key(e) for e in _live(polib.pofile(str(source / "locale" / "uk" / "LC_MESSAGES" / "django.po")))}
    committed = {_key(e) for e in _live(_po())}
    assert sorted(fresh - committed) == [], "new strings: run makemessages -l uk, translate, compilemessages"
    assert sorted(committed - fresh) == [], "strings no longer in the code: run makemessages -l uk --no-obsolete"
