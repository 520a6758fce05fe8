"""Every notebook in tutorials/ executes without a cell error, and is stored executed.

Each notebook runs in a fresh Jupyter kernel started with *this* interpreter
(``sys.executable``). The kernel spec is written to a temporary directory, so the test does
not depend on which kernels are registered on the machine. This matters because a
user-level ``python3`` spec may point at another Python.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "tutorials").glob("*.ipynb"))
KERNEL = "brainsim-tests"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data dir holding one kernel spec that runs this interpreter."""
    data = tmp_path_factory.mktemp("jupyter")
    spec = data / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "brainsim tests",
                "language": "python",
            }
        )
    )
    return data


def test_tutorials_exist() -> None:
    names = [p.name for p in NOTEBOOKS]
    for prefix in ("01_", "02_", "03_", "04_"):
        assert any(n.startswith(prefix) for n in names), f"no tutorial {prefix}*: {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_executed(path: Path) -> None:
    """Stored with outputs (the docs site and GitHub show them), in order, without errors,
    and small enough to keep in git."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts and None not in counts, f"{path.name}: a code cell was not executed"
    assert counts == sorted(counts), f"{path.name}: cells were not run top to bottom"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs, f"{path.name}: no stored outputs"
    assert not [o for o in outputs if o.output_type == "error"], f"{path.name}: stored error"
    assert path.stat().st_size < 1_000_000, f"{path.name}: {path.stat().st_size} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(
    path: Path, kernel_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the kernel process inherits this environment
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(tmp_path)}},  # cwd of the kernel
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell raised\n{err}", pytrace=False)
    ran = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    assert ran, f"{path.name}: no code cell ran"
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{path.name}: error outputs {errors}"
