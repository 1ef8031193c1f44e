"""bench/hotline.py at a tiny scale, end to end (slow: excluded from CI by ``-m 'not slow'``)."""

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
        [sys.executable, str(ROOT / "bench" / "hotline.py"), "--scale", "0.0005", "--requests", "10",
         "--clients", "2", "--stats-runs", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["engine"] == "sqlite"
    assert figures["contacts"] == 500
    assert figures["statistics"]["contacts_in_year"] == 500
    assert figures["statistics"]["consultations_in_year"] == figures["consultations"]
    assert figures["create"]["requests_each"] >= 10
    assert figures["create"]["throughput_ratio"] > 0
    concurrent = figures["create"]["concurrent"]
    assert concurrent["clients"] == 2
    assert concurrent["requests_each"] >= 10
    assert concurrent["create_contact"]["per_second"] > 0
    assert concurrent["throughput_ratio"] > 0
