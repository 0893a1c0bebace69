r"""What holds the unpaired game back: DA-RCOT* with one setting of ``cpu-unpaired``
changed at a time.

In the unpaired game (Eq. 8) the map ``T`` minimises
``E[c(x, T(x)) - phi(T(x))]`` while the potential ``phi`` maximises
``E[phi(y)] - E[phi(T(x))]`` under a gradient penalty. Trained so, DA-RCOT* ends
near 21.8 dB on the validation crops after 3,000 steps and again after 6,000,
while the paired map of the same budget keeps climbing (``docs/results.md``, "A
schedule twice as long"). Each of four causes is one setting of the game:

========================  ===================================================
``potential_width=64``    a potential twice as wide (32 -> 64 channels):
                          is ``phi`` too weak to tell restored from clean?
``critic_steps=4``        four potential steps per map step instead of two:
                          is ``phi`` under-trained when the map reads it?
``sigma=0.01``            a third of the cost weight (0.03): does the cost
                          hold the map too near the identity? The map's best
                          response moves ``x`` by about
                          ``|grad phi| / (2 sigma)``
                          (:mod:`rcot_lib.best_response`), three times as far.
``lr_map=1e-3``           the map's learning rate 3.3 times higher (3e-4 ->
                          1e-3): does the map follow the potential too slowly?
========================  ===================================================

``scripts/unpaired_factors_cpu.sh`` trains each (``scripts/unpaired_cpu.sh``,
variant ``da-rcot``, the same steps, seed and data) into ``OUT/<factor>/da-rcot/``;
``scripts/unpaired_factors_results.py`` gathers them (:func:`summarise`) with
the unchanged DA-RCOT* of the same seed (row ``preset``, from
``data_samples/results/unpaired_steps*.json``) into
``data_samples/results/unpaired_factors_steps*.json``, which notebook 06 reads
(:func:`factors_table`).

References
----------
.. [1] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (Eq. 8).
"""

from __future__ import annotations

import os
from pathlib import Path

from rcot_lib.unpaired_summary import SETS, scored_sets, seed_rows

__all__ = ["FACTORS", "LABELS", "factors_table", "summarise"]

#: Factor -> the ``rcot train --set`` flags that make it (on ``cpu-unpaired``).
FACTORS: dict[str, tuple[str, ...]] = {
    "potential_width=64": ("model.potential_width=64",),
    "critic_steps=4": ("critic_steps=4",),
    "sigma=0.01": ("sigma=0.01",),
    "lr_map=1e-3": ("lr_map=1e-3",),
}
#: Row -> the label of the tables and figures; ``preset`` is DA-RCOT* unchanged.
LABELS = {
    "preset": "DA-RCOT* (cpu-unpaired)",
    "potential_width=64": "potential twice as wide",
    "critic_steps=4": "4 potential steps a map step",
    "sigma=0.01": "cost weight sigma / 3",
    "lr_map=1e-3": "map learning rate x 3.3",
}
#: The variant of ``scripts/unpaired_cpu.sh`` every factor changes.
VARIANT = "da-rcot"


def summarise(folder: str | os.PathLike) -> dict[str, dict]:
    """Factor -> :func:`rcot_lib.ablation.summarise_runs` of the run that
    ``scripts/unpaired_factors_cpu.sh`` left in ``folder/<factor>/da-rcot/``, in
    :data:`FACTORS`' order; factors without a history are left out."""
    from rcot_lib.ablation import summarise_runs

    out = {}
    for factor in FACTORS:
        run = Path(folder) / factor
        if (run / VARIANT / "history.json").is_file():
            out[factor] = summarise_runs(run, (VARIANT,))[VARIANT]
    return out


def factors_table(
    seeds: dict[str, dict[str, dict]],
    sets: tuple[str, ...] = SETS,
    y_sets: tuple[str, ...] = ("rain100l_rgb",),
) -> str:
    """Markdown table of the ``"seeds"`` of a factors file (seed -> row -> run):
    per row the number of seeds, then per set the PSNR on RGB (mean +/- std over
    seeds), Y in brackets for ``y_sets``, and in brackets the gain over ``preset``
    of the same seed (:func:`rcot_lib.unpaired_summary.seed_rows`).

    >>> run = lambda v: {"steps": 3, "benchmarks": {"sots": {"psnr_out": v}}}
    >>> print(factors_table({"0": {"preset": run(18.0), "sigma=0.01": run(18.4)}}))
    | row | seeds | SOTS-outdoor |
    |---|---|---|
    | DA-RCOT* (cpu-unpaired) | 1 | 18.00 |
    | cost weight sigma / 3 | 1 | 18.40 (+0.40) |
    """
    from rcot_lib.eval_data import EVAL_SETS
    from rcot_lib.tables import markdown_table

    ordered = {seed: {r: runs[r] for r in LABELS if r in runs}
               for seed, runs in seeds.items()}
    columns = scored_sets([r for runs in ordered.values() for r in runs.values()], sets)
    rows = seed_rows(ordered, "preset", columns, y_sets, labels=LABELS, y_prefix="Y ")
    return markdown_table(["row", "seeds", *(EVAL_SETS.get(s, s) for s in columns)],
                          rows)
