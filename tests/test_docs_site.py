"""The documentation site: the API reference names every public object (fast check), and
Sphinx builds the whole site with warnings as errors (slow)."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import brainsim

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API = DOCS / "api"
DIRECTIVE = re.compile(r"^\.\. (auto\w+|currentmodule)::\s+(\S+)", re.M)


def public_modules() -> list[str]:
    """``brainsim`` and every submodule whose dotted path has no ``_``-prefixed part."""
    names = ["brainsim"]
    for info in pkgutil.walk_packages(brainsim.__path__, "brainsim."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def documented(api_dir: Path) -> tuple[set[str], set[str]]:
    """Full names documented by ``auto*`` directives, and the modules given a page."""
    names, modules = set(), set()
    for page in sorted(api_dir.glob("*.rst")):
        current = None
        for kind, target in DIRECTIVE.findall(page.read_text()):
            if kind == "currentmodule":
                current = target
            elif kind == "automodule":
                modules.add(target)
                current = target
            elif kind != "autosummary":
                names.add(target if "." in target or current is None else f"{current}.{target}")
    return names, modules


def _resolve(full: str):
    mod, _, attr = full.rpartition(".")
    return getattr(importlib.import_module(mod), attr)


def _by_identity(obj) -> bool:
    return inspect.isclass(obj) or callable(obj)


def missing_names(api_dir: Path) -> list[str]:
    """Public names that the reference in ``api_dir`` does not document.

    A name counts as documented when the reference documents it under this name or, for a
    class or function re-exported in several modules, under any of its public names.
    """
    names, modules = documented(api_dir)
    ids = {id(_resolve(n)) for n in names if _by_identity(_resolve(n))}
    missing = []
    for modname in public_modules():
        mod = importlib.import_module(modname)
        if not hasattr(mod, "__all__"):
            missing.append(f"{modname} (no __all__)")
            continue
        covered = modname in modules
        for name in mod.__all__:
            obj = getattr(mod, name)
            full = f"{modname}.{name}"
            if inspect.ismodule(obj):
                continue
            if full in names or (_by_identity(obj) and id(obj) in ids):
                continue
            missing.append(full)
        if not covered and any(f"{modname}.{n}" in names for n in mod.__all__):
            missing.append(f"{modname} (documents names but has no automodule page)")
    return missing


def test_api_reference_covers_every_public_name() -> None:
    missing = missing_names(API)
    assert not missing, (
        "public names missing from the API reference (docs/api/*.rst); add an "
        "autoclass / autofunction / autodata line for each:\n" + "\n".join(missing)
    )


def test_api_reference_names_resolve() -> None:
    names, modules = documented(API)
    assert len(names) > 400
    for full in sorted(names):
        mod, _, attr = full.rpartition(".")
        assert attr in importlib.import_module(mod).__all__, f"{full} is not public"
    for m in modules:
        importlib.import_module(m)


def test_checker_reports_a_missing_name(tmp_path: Path) -> None:
    for page in API.glob("*.rst"):
        text = page.read_text()
        if page.name == "interop_nir.rst":
            text = text.replace(".. autofunction:: from_nir\n", "")
        (tmp_path / page.name).write_text(text)
    assert missing_names(tmp_path) == ["brainsim.interop.nir.from_nir"]


def test_docs_have_no_pointer_to_a_missing_api_md() -> None:
    for page in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        assert "API.md" not in page.read_text(), page.name


@pytest.mark.slow
def test_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    out = tmp_path / "html"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-b", "html", "-q",
         str(DOCS), str(out)],
        capture_output=True, text=True, env=env, timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert (out / "api" / "models.html").exists()
    assert 'id="brainsim.models.LIF"' in (out / "api" / "models.html").read_text()
    # the tutorials are rendered from their stored outputs, figures included
    tutorial = (out / "tutorials" / "03_simulate_a_network.html").read_text()
    assert "<img" in tutorial
