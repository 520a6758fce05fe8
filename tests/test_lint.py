"""The code base stays ruff-clean (the rules are configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_check_passes() -> None:
    exe = shutil.which("ruff")
    cmd = [exe] if exe else [sys.executable, "-m", "ruff"]
    try:
        proc = subprocess.run([*cmd, "check", "brainsim", "tests", "examples", "benchmarks"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.skip("ruff is not installed (it is part of the [test] extra)")
    assert proc.returncode == 0, proc.stdout + proc.stderr
