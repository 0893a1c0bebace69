"""Every notebook runs headless in fast mode, and its jupytext pair is in sync."""

from __future__ import annotations

import pytest

from rcot_lib.notebooks import NOTEBOOKS_DIR, list_notebooks, run_notebook

NOTEBOOKS = list_notebooks()


def test_notebooks_exist():
    assert NOTEBOOKS, f"no numbered notebooks in {NOTEBOOKS_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stored_without_outputs_and_in_sync(path):
    import jupytext
    import nbformat

    nb = nbformat.read(path, as_version=4)
    with_outputs = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.outputs
    ]
    assert not with_outputs, f"{path.name}: cells {with_outputs} have stored outputs"
    first = nb.cells[0]
    assert (
        first.cell_type == "markdown"
        and "CPU" in first.source
        and "GPU" in first.source
    )
    spec = nb.metadata.get("kernelspec", {})
    assert spec.get("name") == "python3", (
        f"{path.name}: no python3 kernelspec, JupyterLab would ask for a kernel"
    )
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert any("parameters" in t for t in tags), (
        f"{path.name}: no cell tagged 'parameters'"
    )
    assert "Exercises" in nb.cells[-1].source or "Exercises" in nb.cells[-2].source
    pair = path.with_suffix(".py")
    assert pair.exists(), f"{pair.name} (py:percent pair) is missing"
    py = jupytext.read(pair)
    assert [c.source for c in py.cells] == [c.source for c in nb.cells], (
        f"{path.name} and {pair.name} differ: run `jupytext --sync notebooks/*.py`"
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless_fast(path, tmp_path):
    run = run_notebook(path, fast=True, out_dir=tmp_path, html=False)
    assert run.ok, run.error


@pytest.mark.slow
def test_a_failing_cell_is_named(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# broken"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('bad level')"),
    ]
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    run = run_notebook(path, out_dir=tmp_path / "out", html=False)
    assert not run.ok
    assert "cell 2" in run.error and "ValueError: bad level" in run.error
    assert (tmp_path / "out" / "99_broken.ipynb").exists()  # kept for reading
