r"""DA-RCOT's Table IX at CPU scale: what the exponent ``p`` of the Fourier term does
to a trained map.

The cost of Eq. 4 prices a residual ``r = x - T(x)`` by a pixel term plus
``lambda ||F r||_p``. The papers choose ``p`` by degradation: ``p = 2`` for white
noise (no preferred frequency), ``p = 1`` for rain, haze, blur and low light (a
residual that lives on few frequencies). Table IX asks what that choice is worth:
the same five-task DA-RCOT map trained with

=========  =====================================================
``p-task`` ``p`` by degradation (the papers' rule)
``p2``     ``p = 2`` for every task
``p1``     ``p = 1`` for every task
``lam0``   no Fourier term at all (``lambda = 0``)
=========  =====================================================

in the unpaired game (Eq. 8, ``cpu-unpaired``, variant ``da-rcot``) and in the
pair-informed one (Eq. 9, ``cpu-small``). ``scripts/table9_cpu.sh`` trains them
into ``OUT/<objective>/<setting>/<variant>/``; ``scripts/table9_results.py``
gathers them (:func:`summarise`) into ``data_samples/results/table9_steps*.json``
with the restorations of notebook 06's examples (:func:`write_examples`), which
notebook 06 reads back (:func:`load_examples`, :func:`settings_table`).

References
----------
.. [1] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (Eq. 4, Table IX).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from rcot_lib.environment import RESULTS_DIR
from rcot_lib.unpaired_summary import SETS, scored_sets, seed_rows

__all__ = [
    "OBJECTIVES",
    "SETTINGS",
    "load_examples",
    "settings_table",
    "summarise",
    "write_examples",
]

#: Setting -> the ``rcot train --set`` flags that make it (five tasks).
SETTINGS: dict[str, tuple[str, ...]] = {
    "p-task": (),
    "p2": ("task_p=[2,2,2,2,2]",),
    "p1": ("task_p=[1,1,1,1,1]",),
    "lam0": ("lam=0",),
}
#: Setting -> the row label of the tables and figures.
LABELS = {
    "p-task": "p by degradation",
    "p2": "p = 2 for all",
    "p1": "p = 1 for all",
    "lam0": "no Fourier term",
}
#: Objective -> the variant of ``scripts/unpaired_cpu.sh`` that trains it.
OBJECTIVES = {"unpaired": "da-rcot", "paired": "paired"}
EXAMPLE_DIR = Path(RESULTS_DIR) / "table9_examples"


def summarise(folder: str | os.PathLike) -> dict[str, dict[str, dict]]:
    """Objective -> setting -> :func:`rcot_lib.ablation.summarise_runs` of the run
    that ``scripts/table9_cpu.sh`` left in ``folder/<objective>/<setting>/``.

    Settings without a run are left out; an objective without any run too.
    """
    from rcot_lib.ablation import summarise_runs

    out: dict[str, dict[str, dict]] = {}
    for objective, variant in OBJECTIVES.items():
        for setting in SETTINGS:
            run = Path(folder) / objective / setting
            if (run / variant / "history.json").is_file():
                found = summarise_runs(run, (variant,))
                out.setdefault(objective, {})[setting] = found[variant]
    return out


def settings_table(
    seeds: dict[str, dict[str, dict[str, dict]]],
    baseline: str = "p-task",
    sets: tuple[str, ...] = SETS,
    y_sets: tuple[str, ...] = ("rain100l_rgb",),
) -> str:
    """Markdown table of the ``"seeds"`` of a Table IX file (seed -> objective ->
    setting -> run): per objective and setting the number of seeds, then per set
    the PSNR on RGB, mean +/- std over the seeds (one seed: its value), Y in
    brackets for ``y_sets`` (the deraining set), and in brackets the gain over
    ``baseline`` of the same objective and seed, with its spread
    (:func:`rcot_lib.unpaired_summary.seed_rows`). Only the sets some run was
    scored on are columns.

    >>> run = lambda v: {"steps": 3, "benchmarks": {"sots": {"psnr_out": v}}}
    >>> seed = lambda a, b: {"unpaired": {"p-task": run(a), "p1": run(b)}}
    >>> print(settings_table({"0": seed(18.0, 18.5), "1": seed(17.0, 17.7)}))
    | objective | setting | seeds | SOTS-outdoor |
    |---|---|---|---|
    | unpaired | p by degradation | 2 | 17.50 ± 0.71 |
    | unpaired | p = 1 for all | 2 | 18.10 ± 0.57 (+0.60 ± 0.14) |
    """
    from rcot_lib.eval_data import EVAL_SETS
    from rcot_lib.tables import markdown_table

    runs = [run for by_objective in seeds.values()
            for by_setting in by_objective.values() for run in by_setting.values()]
    columns = scored_sets(runs, sets)
    rows = []
    for objective in OBJECTIVES:
        by_seed = {
            seed: {s: by_objective[objective][s] for s in SETTINGS
                   if s in by_objective[objective]}
            for seed, by_objective in seeds.items() if by_objective.get(objective)
        }
        if by_seed:
            rows += [[objective, *row] for row in seed_rows(
                by_seed, baseline, columns, y_sets, labels=LABELS, y_prefix="Y ")]
    return markdown_table(
        ["objective", "setting", "seeds", *(EVAL_SETS.get(s, s) for s in columns)], rows
    )


def write_examples(
    T: torch.nn.Module,
    objective: str,
    setting: str,
    folder: str | os.PathLike = EXAMPLE_DIR,
) -> list[Path]:
    """Restore notebook 06's examples (:func:`rcot_lib.unpaired.example_inputs`)
    with ``T``; write ``<objective>_<setting>_<task>.png``."""
    from rcot_lib.unpaired import write_examples as write

    return write(T, f"{objective}_{setting}", folder)


def load_examples(
    objective: str, task: str, folder: str | os.PathLike = EXAMPLE_DIR
) -> dict[str, torch.Tensor]:
    """Setting -> its map's restoration of ``task``'s example, for the settings of
    ``objective`` that were run (in :data:`SETTINGS`' order).

    Raises
    ------
    ValueError
        ``objective`` is not one of :data:`OBJECTIVES`.
    """
    from rcot_lib.images import load_image

    if objective not in OBJECTIVES:
        raise ValueError(f"objective {objective!r} is not one of {list(OBJECTIVES)}")
    found = {s: Path(folder) / f"{objective}_{s}_{task}.png" for s in SETTINGS}
    return {s: load_image(p) for s, p in found.items() if p.is_file()}
