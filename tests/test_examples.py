"""Every script in examples/ runs with --quick (and the README snippet runs)."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
# examples that need an optional extra (skipped when it is not installed)
REQUIRES = {"nir_roundtrip": ("nir",), "neo_analysis": ("neo", "elephant")}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_quick(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for module in REQUIRES.get(path.stem, ()):
        pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path), "--quick"])
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runpy.run_path(str(path), run_name="__main__")


def test_readme_snippet_runs() -> None:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README has no python example"
    exec(compile(blocks[0], "README.md", "exec"), {})


def test_readme_has_exactly_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    cmds = re.findall(r"```bash\n(.*?)```", text, re.S)
    assert len(cmds) == 2, cmds
    assert cmds[1].strip() == 'pip install -e ".[test]" && python -m pytest'
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e "\\.\\[test\\]"' in ci
