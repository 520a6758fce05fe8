"""The layering rule of DESIGN.md: a lower layer never imports a higher one.

Every ``.py`` file under ``brainsim/`` is parsed with :mod:`ast`; every import of a brainsim
module (absolute ``brainsim.x`` or relative ``.x`` / ``..x``, at module level or inside a
function) is an edge from the importing module's rank to the imported module's rank. An
edge from a lower rank to a higher one fails the test.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

import brainsim

PKG_DIR = Path(brainsim.__file__).resolve().parent

# (module-name prefix, rank). The longest matching prefix wins; a prefix matches the module
# itself and its submodules (``brainsim.graph`` matches ``brainsim.graph._ops``), a prefix
# ending in ``*`` matches any name starting with it (``brainsim._random*``), and one ending
# in ``$`` matches only itself.
RANKS: list[tuple[str, int]] = [
    ("brainsim._errors", 0),
    ("brainsim._state", 0),
    ("brainsim._compat", 0),
    ("brainsim.environ", 1),
    ("brainsim.filter", 1),
    ("brainsim.random", 1),
    ("brainsim._random*", 1),
    ("brainsim.analysis", 1),
    ("brainsim.plot", 1),
    ("brainsim.graph", 2),
    ("brainsim.transform", 3),
    ("brainsim.init", 3),
    ("brainsim._init*", 3),
    ("brainsim.surrogate", 3),
    ("brainsim.nn", 4),
    ("brainsim.models", 5),
    ("brainsim.simulate", 6),
    ("brainsim.train", 6),
    ("brainsim.interop", 6),
    ("brainsim.__main__", 99),
    ("brainsim.cli*", 99),
    ("brainsim$", 99),  # the top-level package __init__ may import anything
]


def rank_of(module: str) -> int | None:
    """Layer rank of a dotted brainsim module name (None if it is not a brainsim module)."""
    best: tuple[int, int] | None = None  # (prefix length, rank)
    for prefix, rank in RANKS:
        if prefix.endswith("*"):
            ok = module.startswith(prefix[:-1])
        elif prefix.endswith("$"):
            ok = module == prefix[:-1]
        else:
            ok = module == prefix or module.startswith(prefix + ".")
        if ok and (best is None or len(prefix) > best[0]):
            best = (len(prefix), rank)
    return None if best is None else best[1]


def _module_name(root: Path, path: Path) -> tuple[str, bool]:
    """Dotted module name of ``path`` (a file under the package dir ``root``)."""
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts), is_pkg


def _imports(tree: ast.AST, module: str, is_pkg: bool, top: str) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import of a ``top`` module in ``tree``."""
    package = module if is_pkg else module.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == top or alias.name.startswith(top + "."):
                    out.append((node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not (target == top or target.startswith(top + ".")):
                continue
            # `from . import filter` / `from brainsim import nn` import submodules; any
            # other imported name (`from brainsim import State`) imports `target` itself.
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                sub_rank = rank_of(sub)
                if alias.name != "*" and sub_rank is not None and sub_rank != rank_of(target):
                    out.append((node.lineno, sub))
                else:
                    out.append((node.lineno, target))
    return out


def find_violations(root: Path) -> list[str]:
    """Upward import edges under the package directory ``root``, as readable lines."""
    top = root.name
    violations = []
    for path in sorted(root.rglob("*.py")):
        module, is_pkg = _module_name(root, path)
        src_rank = rank_of(module)
        if src_rank is None:
            violations.append(f"{path}: no layer rank for module {module!r}; add it to RANKS")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target in _imports(tree, module, is_pkg, top):
            dst_rank = rank_of(target)
            if dst_rank is None:
                violations.append(
                    f"{path}:{line}: {module} imports {target}, which has no layer rank"
                )
            elif dst_rank > src_rank:
                violations.append(
                    f"{path}:{line}: {module} (rank {src_rank}) imports {target} (rank {dst_rank})"
                )
    return violations


def test_no_upward_imports():
    violations = find_violations(PKG_DIR)
    assert not violations, "upward imports:\n" + "\n".join(violations)


def test_every_module_has_a_rank():
    for path in PKG_DIR.rglob("*.py"):
        module, _ = _module_name(PKG_DIR, path)
        assert rank_of(module) is not None, module


@pytest.mark.parametrize(
    ("module", "rank"),
    [
        ("brainsim._state", 0),
        ("brainsim._random_keys", 1),
        ("brainsim.graph._ops", 2),
        ("brainsim.nn._param", 4),
        ("brainsim.nn", 4),
        ("brainsim.models.neurons._lif", 5),
        ("brainsim.plot._raster", 1),
        ("brainsim", 99),
        ("brainsim.cli_tools", 99),
        ("numpy", None),
    ],
)
def test_rank_of(module, rank):
    assert rank_of(module) == rank


def _write_pkg(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "brainsim"
    for rel, src in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(src), encoding="utf-8")
    return root


def test_checker_catches_upward_imports(tmp_path):
    root = _write_pkg(
        tmp_path,
        {
            "__init__.py": "from . import nn\nfrom .models import LIF\n",
            "_state.py": (
                "import jax\ndef f():\n    from . import filter  # lazy, still an edge 0 -> 1\n"
            ),
            "graph/__init__.py": "from ._ops import x\n",
            "graph/_ops.py": "from .. import filter\nfrom ..nn import Module\n",
            "nn/__init__.py": "from brainsim.graph import walk\n",
            "nn/_top.py": "def f():\n    from brainsim import State\n",
            "nn/_m.py": "import brainsim.models.neurons\n",
            "plot/_raster.py": "from ..transform import jit\n",
            "models/__init__.py": "from ..nn import Module\n",
            "filter.py": "",
            "transform/__init__.py": "",
        },
    )
    found = find_violations(root)
    text = "\n".join(found)
    assert len(found) == 5, text
    assert "_state.py:3: brainsim._state (rank 0) imports brainsim.filter (rank 1)" in text
    assert "_ops.py:2: brainsim.graph._ops (rank 2) imports brainsim.nn (rank 4)" in text
    assert "_m.py:1: brainsim.nn._m (rank 4) imports brainsim.models.neurons (rank 5)" in text
    assert "_raster.py:1: brainsim.plot._raster (rank 1) imports brainsim.transform" in text
    assert "_top.py:2: brainsim.nn._top (rank 4) imports brainsim (rank 99)" in text


def test_checker_accepts_downward_and_same_rank_imports(tmp_path):
    root = _write_pkg(
        tmp_path,
        {
            "__init__.py": "from . import nn, models\nimport brainsim.simulate\n",
            "_state.py": "from ._errors import E\n",
            "_errors.py": "",
            "filter.py": "from ._errors import E\nfrom . import environ\n",
            "environ.py": "",
            "nn/_m.py": "from .. import graph, filter\nfrom ._p import P\n",
            "nn/_p.py": "from brainsim import init\n",
            "simulate.py": "from brainsim.models import LIF\n",
        },
    )
    assert find_violations(root) == []


def test_checker_flags_unranked_modules(tmp_path):
    root = _write_pkg(tmp_path, {"mystery.py": "", "nn/_m.py": "from ..mystery import x\n"})
    found = find_violations(root)
    assert any("no layer rank for module 'brainsim.mystery'" in f for f in found), found
    assert any("imports brainsim.mystery, which has no layer rank" in f for f in found), found
