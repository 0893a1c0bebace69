r"""The unpaired comparison over seeds: each variant's mean and spread, its gain.

Runs of the comparison (``scripts/unpaired_cpu.sh``, gathered by
``scripts/unpaired_results.py`` into ``data_samples/results/unpaired_steps*.json``)
come seed by seed, and not every seed runs every variant: a later session may add
seeds for some rows only. :func:`summarise_seeds` averages what there is, and
:func:`comparison_table` prints the table of ``docs/results.md`` and notebook 06.
:func:`load_seeds` and :func:`save_seeds` read and write the ``"seeds"`` of such a
file, which the gatherers of the comparison, of Table IX and of the one-factor study
share.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from rcot_lib.ablation import seeds_summary
from rcot_lib.eval_data import EVAL_SETS
from rcot_lib.tables import markdown_table
from rcot_lib.unpaired import LABELS, REFERENCES, VARIANTS

__all__ = ["comparison_table", "load_seeds", "save_seeds", "scored_sets", "seed_rows",
           "summarise_seeds"]

#: The sets of the comparison, in the order of its table.
SETS = ("cbsd68_15", "cbsd68_25", "cbsd68_50", "rain100l_rgb", "sots")


def load_seeds(path: str | os.PathLike) -> dict[str, dict]:
    """The ``"seeds"`` of a results file (seed -> runs), or ``{}`` if there is none
    yet: a gatherer adds its seed beside the seeds of earlier sessions."""
    path = Path(path)
    return json.loads(path.read_text())["seeds"] if path.is_file() else {}


def save_seeds(path: str | os.PathLike, seeds: dict[str, dict], config: str | dict,
               steps: int, **fields) -> dict:
    """Write a results file of runs trained one thread each: ``config``, ``steps``,
    ``threads``, ``machine`` (:func:`rcot_lib.environment.machine`), the extra
    ``fields``, then ``seeds`` in the order of their numbers. Returns what it wrote.

    >>> import tempfile
    >>> out = save_seeds(Path(tempfile.mkdtemp()) / "r.json", {"10": {}, "2": {}},
    ...                  "tiny", 3, note="x")
    >>> list(out), list(out["seeds"])
    (['config', 'steps', 'threads', 'machine', 'note', 'seeds'], ['2', '10'])
    """
    from rcot_lib.environment import machine
    from rcot_lib.files import save_json

    out = {"config": config, "steps": steps, "threads": 1, "machine": machine(),
           **fields, "seeds": {k: seeds[k] for k in sorted(seeds, key=int)}}
    save_json(out, path)
    return out


def summarise_seeds(seeds: dict[str, dict], baseline: str = "wgan-gp") -> dict:
    """:func:`rcot_lib.ablation.seeds_summary` of seeds that hold different variants.

    ``seeds`` maps a seed to its :func:`summarise` (the ``"seeds"`` of a results
    file). Each variant's PSNR is averaged over the seeds that ran it, and its gain
    over ``baseline`` over the seeds that ran both (``gain_seeds`` says how many):
    a seed added later with only some variants counts where it can.

    >>> run = lambda v: {"steps": 3, "benchmarks": {"s": {"psnr_out": v}}}
    >>> out = summarise_seeds({"0": {"wgan-gp": run(20.0), "otur": run(21.0)},
    ...                        "1": {"otur": run(23.0)}})
    >>> out["otur"]["seeds"], out["otur"]["gain_seeds"]
    (2, 1)
    >>> out["otur"]["benchmarks"]["s"]["psnr_out"]["mean"]
    22.0
    >>> out["otur"]["benchmarks"]["s"]["gain"]["values"]
    [1.0]
    """
    found = dict.fromkeys(v for r in seeds.values() for v in r)
    order = [v for v in (*VARIANTS, *REFERENCES) if v in found]
    order += [v for v in found if v not in order]
    out = {}
    for v in order:
        have = [r for r in seeds.values() if v in r]
        out[v] = seeds_summary([{v: r[v]} for r in have], baseline=None)[v]
        both = [r for r in have if baseline in r]
        out[v]["gain_seeds"] = len(both) if v != baseline else 0
        if v == baseline or not both:
            continue
        gains = seeds_summary([{baseline: r[baseline], v: r[v]} for r in both],
                              baseline=baseline)[v]["benchmarks"]
        for name, b in out[v]["benchmarks"].items():
            if "gain" in gains.get(name, {}):
                b["gain"] = gains[name]["gain"]
    return out


def seed_rows(seeds: dict[str, dict], baseline: str, sets: list[str],
              y_sets: tuple[str, ...] = ("rain100l_rgb",), labels: dict | None = None,
              y_prefix: str = "") -> list[list[str]]:
    """The rows of :func:`comparison_table`: per variant its label, the number of
    seeds that ran it and one cell per set in ``sets``: the PSNR on RGB, mean +/-
    std over seeds (one seed: its value), then for ``y_sets`` the mean PSNR on Y in
    brackets (after ``y_prefix``), then the gain over ``baseline`` of the same seed.
    ``labels`` names the variants (default: :data:`rcot_lib.unpaired.LABELS`)."""
    labels = LABELS if labels is None else labels
    summary = summarise_seeds(seeds, baseline)

    def spread(stats: dict, signed: bool = False) -> str:
        fmt = "{:+.2f}" if signed else "{:.2f}"
        text = fmt.format(stats["mean"])
        return text if len(stats["values"]) == 1 else f"{text} ± {stats['std']:.2f}"

    rows = []
    for v, run in summary.items():
        cells = []
        for s in sets:
            b = run["benchmarks"].get(s)
            if b is None:
                cells.append("-")
                continue
            text = spread(b["psnr_out"])
            ys = [r[v]["benchmarks"][s]["psnr_y_out"] for r in seeds.values()
                  if v in r and "psnr_y_out" in r[v]["benchmarks"].get(s, {})]
            if s in y_sets and ys:
                text += f" ({y_prefix}{np.mean(ys):.2f})"
            if "gain" in b:
                text += f" ({spread(b['gain'], signed=True)})"
            cells.append(text)
        rows.append([labels.get(v, v), str(run["seeds"]), *cells])
    return rows


def scored_sets(runs: list[dict], sets: tuple[str, ...] = SETS) -> list[str]:
    """The sets of ``sets`` (in that order) that at least one of ``runs`` was
    scored on: the columns of a table of these runs."""
    return [s for s in sets if any(s in r["benchmarks"] for r in runs)]


def comparison_table(seeds: dict[str, dict], baseline: str = "wgan-gp",
                     y_sets: tuple[str, ...] = ("rain100l_rgb",)) -> str:
    """Markdown table of :func:`summarise_seeds`: per variant and set the PSNR on
    RGB, mean +/- std over seeds (one seed: its value), then for ``y_sets`` the mean
    PSNR on Y in brackets, then the gain over ``baseline`` of the same seed
    (:func:`seed_rows`).

    >>> run = lambda v: {"steps": 3, "benchmarks": {"sots": {"psnr_out": v}}}
    >>> print(comparison_table({"0": {"wgan-gp": run(20.0), "otur": run(21.0)},
    ...                         "1": {"wgan-gp": run(19.0), "otur": run(21.0)}}))
    | row | seeds | SOTS-outdoor |
    |---|---|---|
    | WGAN-GP* | 2 | 19.50 ± 0.71 |
    | OTUR* | 2 | 21.00 ± 0.00 (+1.50 ± 0.71) |
    """
    sets = scored_sets([run for r in seeds.values() for run in r.values()])
    rows = seed_rows(seeds, baseline, sets, y_sets)
    return markdown_table(["row", "seeds", *(EVAL_SETS.get(s, s) for s in sets)], rows)
