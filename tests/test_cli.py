"""The main job: ``brainsim demo`` (small and short here; the full run is in the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from brainsim.__main__ import main


def test_demo_small_network_writes_png(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "figs" / "demo.png"
    assert main(["demo", "--n", "400", "--duration", "100", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "excitatory rate" in text and "compile time" in text and "run time" in text
    assert str(out) in text
    assert out.exists() and out.stat().st_size > 10_000


def test_help_and_unknown_command(capsys: pytest.CaptureFixture) -> None:
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["demo", "--n", "3"])


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "brainsim", "demo", "--n", "200", "--duration", "20",
         "--out", str(tmp_path / "d.png")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "inhibitory rate" in proc.stdout
