"""The docs stay true: every setting is in README's table, the permission doc equals the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_it_documents_every_environment_variable() -> None:
    settings_source = (ROOT / "varta" / "settings.py").read_text(encoding="utf-8")
    used = set(re.findall(r'env_\w+\("((?:VARTA|DATABASE)_[A-Z_]+)"', settings_source))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert used, "no settings found: the pattern is out of date"
    assert sorted(used - documented) == [], "settings missing from README's configuration table"
    assert sorted(documented - used) == [], "README documents settings that no longer exist"


def test_it_links_only_existing_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs|varta)/[^)]+)\)", readme):
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"
