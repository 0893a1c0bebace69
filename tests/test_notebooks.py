"""Every notebook runs headless in fast mode, and its jupytext pair is in sync; every
exercise has a worked solution, and the student copy (solutions removed) runs too."""

from __future__ import annotations

import re

import pytest

from rcot_lib.notebooks import (
    EXERCISE_TAG,
    NOTEBOOKS_DIR,
    SOLUTION_TAG,
    build_course,
    list_notebooks,
    run_notebook,
)

NOTEBOOKS = list_notebooks()


def _tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _first_line(cell) -> str:
    return next((ln for ln in cell.source.splitlines() if ln.strip()), "")


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
    pair = path.with_suffix(".py")
    assert pair.exists(), f"{pair.name} (py:percent pair) is missing"
    py = jupytext.read(pair)
    assert [c.source for c in py.cells] == [c.source for c in nb.cells], (
        f"{path.name} and {pair.name} differ: run `jupytext --sync notebooks/*.py`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_a_hidden_solution(path):
    """The main content, then the Exercises cell, then only starter and solution cells;
    one solution cell per exercise number, each collapsed; every Think! answered."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    where = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "markdown" and "## Exercises" in c.source]
    assert len(where) == 1, f"{path.name}: one '## Exercises' cell expected: {where}"
    k = where[0]
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in _tags(c))
    assert k > params + 2, f"{path.name}: the Exercises cell comes before the content"
    section = nb.cells[k].source.split("## Exercises", 1)[1].split("## References")[0]
    numbers = sorted({int(n) for n in re.findall(r"^(\d+)\. ", section, re.MULTILINE)})
    assert numbers == list(range(1, len(numbers) + 1)) and numbers, (
        f"{path.name}: exercises numbered {numbers}")
    tail = nb.cells[k + 1:]
    loose = [k + 1 + i for i, c in enumerate(tail)
             if not {SOLUTION_TAG, EXERCISE_TAG} & set(_tags(c))]
    assert not loose, f"{path.name}: cells {loose} after the exercises are untagged"
    solutions = [c for c in nb.cells if SOLUTION_TAG in _tags(c)]
    for c in solutions:
        assert c.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name}: solution {_first_line(c)!r} is not collapsed")
    solved = {int(m) for c in tail if SOLUTION_TAG in _tags(c)
              for m in re.findall(r"Solution to exercise (\d+)", _first_line(c))}
    missing = sorted(set(numbers) - solved)
    assert not missing, f"{path.name}: no solution cell for exercises {missing}"
    for i, c in enumerate(nb.cells[:k]):
        if "**Think!**" in c.source:
            after = nb.cells[i + 1:i + 3]
            answered = any(SOLUTION_TAG in _tags(a)
                           and _first_line(a).startswith("**Answer") for a in after)
            assert answered, f"{path.name}: the Think! of cell {i} has no answer"


def test_course_copies_and_their_links(tmp_path):
    """The student copy has no solution cell, the instructor copy has all of them;
    the pages the notebooks link to (../docs/...) are beside both."""
    import nbformat

    built = build_course(tmp_path, NOTEBOOKS)
    assert [p.name for p in built["student"]] == [p.name for p in NOTEBOOKS]
    for source, student, instructor in zip(NOTEBOOKS, built["student"],
                                           built["instructor"], strict=True):
        src, stu, ins = (nbformat.read(p, as_version=4)
                         for p in (source, student, instructor))
        n_solutions = sum(SOLUTION_TAG in _tags(c) for c in src.cells)
        assert n_solutions > 0
        assert not any(SOLUTION_TAG in _tags(c) for c in stu.cells), student.name
        assert [c.source for c in stu.cells] == [
            c.source for c in src.cells if SOLUTION_TAG not in _tags(c)]
        assert sum(SOLUTION_TAG in _tags(c) for c in ins.cells) == n_solutions
        assert stu.metadata["kernelspec"]["name"] == "python3"
    relative_link = re.compile(r"\]\((\.\./[^)#]+)")
    links = {m for p in NOTEBOOKS for m in relative_link.findall(p.read_text())}
    assert links  # the notebooks link ../docs/method.md
    for link in links:
        for copy in ("student", "instructor"):
            assert (tmp_path / copy / link).resolve().is_file(), (copy, link)


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory):
    return build_course(tmp_path_factory.mktemp("course"), NOTEBOOKS)["student"]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(NOTEBOOKS)),
                         ids=[p.stem for p in NOTEBOOKS])
def test_student_copy_runs_headless_fast(index, student_copies, tmp_path):
    """Without the solutions, every cell runs (cells tagged "raises-exception" may
    raise, nbclient's rule); the starter cells print "not yet" instead of failing."""
    run = run_notebook(student_copies[index], fast=True, out_dir=tmp_path, html=False)
    assert run.ok, run.error


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


@pytest.mark.slow
def test_a_failure_names_the_failing_cell_not_an_expected_error(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('bad level')"),
    ]
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    run = run_notebook(path, fast=True, html=False)
    assert not run.ok
    assert 'cell 2 ("raise ValueError' in run.error
    assert run.error.endswith("ValueError: bad level")
