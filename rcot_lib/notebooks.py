"""Execute the kit's notebooks headless (nbclient) and report per-notebook times;
build the course copies (student and instructor) from the single source.

Used by ``rcot notebooks``, ``make course`` and ``tests/test_notebooks.py``: the
same code path for readers, CI and the test suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rcot_lib.config import KIT_ROOT

NOTEBOOKS_DIR = KIT_ROOT / "notebooks"
#: Cell tags of the single source: worked solutions (and the answers to the
#: "Think!" prompts), removed from the student copy; starter cells a student fills in.
SOLUTION_TAG, EXERCISE_TAG = "solution", "exercise"


@dataclass
class NotebookRun:
    """Outcome of one headless notebook execution."""

    name: str
    seconds: float
    ok: bool
    error: str = ""
    output: Path | None = None


class NotebookError(RuntimeError):
    """A notebook cell raised; the message names the notebook and the cell."""


def list_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks ``NN_*.ipynb`` in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def _describe_cell(nb, index: int) -> str:
    cell = nb.cells[index]
    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
    return f"cell {index} ({first[:70]!r})"


def run_notebook(
    path: str | os.PathLike,
    *,
    fast: bool = True,
    out_dir: str | os.PathLike | None = None,
    timeout: int = 600,
    html: bool = True,
    extra_env: dict[str, str] | None = None,
) -> NotebookRun:
    """Execute one notebook top to bottom in a fresh kernel.

    The kernel runs in the notebook's folder with ``RCOT_HEADLESS=1`` (widgets
    become static plots) and, when ``fast``, ``RCOT_FAST=1``. With ``out_dir``,
    the executed notebook (and an HTML copy) is written there, also on failure,
    so the failing output can be read.

    Raises nothing: failures come back in :class:`NotebookRun` with the failing
    cell named.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    os.environ["RCOT_HEADLESS"] = "1"
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    if fast:
        os.environ["RCOT_FAST"] = "1"
    os.environ.update(extra_env or {})
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    ok, error = True, ""
    try:
        client.execute()
    except CellExecutionError as exc:
        ok = False
        index = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if "raises-exception" not in c.metadata.get("tags", [])
                and any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        where = _describe_cell(nb, index) if index is not None else "a cell"
        ename = getattr(exc, "ename", "") or "error"
        evalue = getattr(exc, "evalue", "") or str(exc).splitlines()[-1]
        error = f"{path.name}: {where} raised {ename}: {evalue}"
    except Exception as exc:  # a timeout or a dead kernel
        ok = False
        error = f"{path.name}: {type(exc).__name__}: {exc}"
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    seconds = time.perf_counter() - start
    written = None
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = out / path.name
        nbformat.write(nb, written)
        if html:
            from nbconvert import HTMLExporter

            body, _ = HTMLExporter().from_notebook_node(nb)
            written.with_suffix(".html").write_text(body, encoding="utf-8")
    return NotebookRun(path.name, seconds, ok, error, written)


def run_all(
    paths: list[Path] | None = None,
    *,
    fast: bool = True,
    out_dir: str | os.PathLike | None = None,
    timeout: int = 600,
) -> list[NotebookRun]:
    """Execute several notebooks (default: all numbered ones) with progress."""
    from tqdm.auto import tqdm

    paths = list_notebooks() if paths is None else paths
    runs = []
    for p in tqdm(paths, desc="notebooks", unit="nb"):
        runs.append(run_notebook(p, fast=fast, out_dir=out_dir, timeout=timeout))
    return runs


def format_table(runs: list[NotebookRun]) -> str:
    """A plain-text table: notebook, seconds, status."""
    width = max([len(r.name) for r in runs] + [8])
    lines = [f"{'notebook':<{width}}  {'seconds':>8}  status"]
    for r in runs:
        lines.append(
            f"{r.name:<{width}}  {r.seconds:8.1f}  {'ok' if r.ok else 'FAILED'}"
        )
    lines.append(f"{'total':<{width}}  {sum(r.seconds for r in runs):8.1f}")
    return "\n".join(lines)


#: Pages of ``docs/`` that the notebooks link to (``../docs/<page>``).
LINKED_DOCS = ("method.md", "results.md")


def build_course(
    out: str | os.PathLike = KIT_ROOT / "build" / "course",
    paths: list[Path] | None = None,
) -> dict[str, list[Path]]:
    """Write a student and an instructor copy of every notebook (or of ``paths``).

    ``out/instructor`` holds plain copies of the source notebooks, solutions
    included; ``out/student`` the same notebooks without the cells tagged
    ``"solution"``, removed by nbconvert's ``TagRemovePreprocessor``; ``out/docs``
    the pages the notebooks link to (``../docs/method.md``, ...), so that their
    links resolve in both copies::

        jupyter nbconvert --to notebook --TagRemovePreprocessor.enabled=True
            --TagRemovePreprocessor.remove_cell_tags='["solution"]' --output-dir ...

    Returns ``{"student": [...], "instructor": [...]}``, the written paths.

    Raises
    ------
    RuntimeError
        nbconvert failed (its output is in the message).
    """
    paths = list_notebooks() if paths is None else [Path(p) for p in paths]
    out = Path(out)
    student, instructor = out / "student", out / "instructor"
    for folder in (student, instructor):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    if not paths:
        return {"student": [], "instructor": []}
    cmd = [sys.executable, "-m", "nbconvert", "--to", "notebook",
           "--TagRemovePreprocessor.enabled=True",
           f'--TagRemovePreprocessor.remove_cell_tags=["{SOLUTION_TAG}"]',
           "--output-dir", str(student), *map(str, paths)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"nbconvert failed ({done.returncode}):\n{done.stderr}")
    copies = [Path(shutil.copy2(p, instructor / p.name)) for p in paths]
    docs = out / "docs"
    docs.mkdir(exist_ok=True)
    for page in LINKED_DOCS:
        shutil.copy2(KIT_ROOT / "docs" / page, docs / page)
    return {"student": [student / p.name for p in paths], "instructor": copies}
