"""bench/cases.py at a tiny scale, end to end (slow: excluded from CI by ``-m 'not slow'``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_it_runs_the_benchmark_at_a_tiny_scale() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VARTA_VAR_DIR", "VARTA_DATA_KEYS")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cases.py"), "--scale", "0.002", "--requests", "6"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])

    assert figures["engine"] == "sqlite"
    assert figures["persons"] == 200
    assert figures["rows"]["case"] == figures["rows"]["person"] == 200
    assert figures["rows"]["token"] > 10 * 200
    assert 3 <= figures["rows"]["service"] / 200 <= 6
    pages = figures["pages"]
    assert set(pages["lists"]) >= {"my_cases", "team", "all_cases", "all_cases_filtered"}
    assert all(v["n"] == 6 and v["p95_ms"] > 0 for v in pages["lists"].values())
    assert pages["search"]["exact"]["found_share"] == 1.0
    assert pages["case_page"]["n"] == 6
    assert set(pages["targets"]) >= {"lists_p95_ms_worst", "search_p95_ms_worst", "case_page_p95_ms"}
