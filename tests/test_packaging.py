"""Packaging metadata: one version, the optional extras, the supported Pythons."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import brainsim

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def test_version_is_read_from_one_place() -> None:
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    attr = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "brainsim.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+([a-z]+\d+)?", brainsim.__version__)
    assert f"## {brainsim.__version__}" in (ROOT / "CHANGELOG.md").read_text()


def test_optional_extras() -> None:
    extras = PROJECT["optional-dependencies"]
    assert {"nir", "neo", "docs", "gpu", "examples", "notebooks", "test"} <= set(extras)
    assert any(d.startswith("nir") for d in extras["nir"])
    assert any(d.startswith("neo") for d in extras["neo"])
    assert any(d.startswith("sphinx") for d in extras["docs"])
    assert any(d.startswith("myst-nb") for d in extras["docs"])
    assert extras["gpu"] == ["jax[cuda12]"]
    assert any(d.startswith("scikit-learn") for d in extras["examples"])
    assert any(d.startswith("jupyter") for d in extras["notebooks"])
    # the test extra installs every feature the tests cover
    self_ref = [d for d in extras["test"] if d.startswith("brainsim[")]
    assert self_ref, extras["test"]
    covered = set(self_ref[0][len("brainsim["):-1].split(","))
    assert {"nir", "neo", "docs", "examples"} <= covered


def test_python_classifiers() -> None:
    versions = {
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if c.startswith("Programming Language :: Python :: 3.")
    }
    assert versions == {"3.11", "3.12", "3.13"}
    assert PROJECT["requires-python"] == ">=3.11"


def test_readme_documents_the_extras() -> None:
    readme = (ROOT / "README.md").read_text()
    assert 'python -m pip install "brainsim[' in readme
    for extra in ("nir", "neo", "docs", "gpu", "examples", "notebooks"):
        assert f"| `{extra}` |" in readme, extra
