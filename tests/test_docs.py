"""Every ```python block in docs/*.md runs.

The blocks of one file run in order in one shared namespace, like a reader pasting them
into one session. A block fenced as ```python skip is not run; the docs say why next to
each one. Blocks run in a temporary working directory (some save figures).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
# pages that need an optional extra (skipped when it is not installed)
REQUIRES = {"interop": ("nir", "neo", "elephant")}
# a fence may be indented (inside a list item); the closing fence has the same indent
FENCE = re.compile(r"^([ \t]*)```python([^\n]*)\n(.*?)^\1```[ \t]*$", re.S | re.M)


def python_blocks(text: str) -> list[tuple[int, str, bool]]:
    """``(line, source, skipped)`` for each ```python block of a Markdown text."""
    out = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 2  # first line of the code
        code = textwrap.dedent(m.group(3))
        out.append((line, code, m.group(2).strip() == "skip"))
    return out


def test_docs_exist() -> None:
    names = {p.name for p in DOCS}
    expected = {
        "index.md",
        "concepts.md",
        "simulation.md",
        "training.md",
        "performance.md",
        "porting.md",
    }
    assert expected <= names, sorted(expected - names)


def test_fence_parser() -> None:
    md = (
        "x\n```python\na = 1\n```\n\n```python skip\nb = 2\n```\n```bash\nls\n```\n"
        "- item\n\n  ```python\n  c = 3\n  if c:\n      d = 4\n  ```\n"
    )
    assert python_blocks(md) == [
        (3, "a = 1\n", False),
        (7, "b = 2\n", True),
        (15, "c = 3\nif c:\n    d = 4\n", False),
    ]


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_doc_code_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in REQUIRES.get(path.stem, ()):
        pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = python_blocks(path.read_text())
    namespace: dict = {"__name__": f"docs_{path.stem}"}
    ran = 0
    try:
        for line, src, skipped in blocks:
            if skipped:
                continue
            # pad with newlines so tracebacks give the line number in the .md file
            code = compile("\n" * (line - 1) + src, str(path), "exec")
            try:
                exec(code, namespace)
            except Exception as err:
                raise AssertionError(
                    f"{path.name}: the python block at line {line} failed: "
                    f"{type(err).__name__}: {err}"
                ) from err
            ran += 1
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    assert ran > 0, f"{path.name} has no runnable python block"
