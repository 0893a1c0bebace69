"""The conditioning ablation (DA-RCOT Table VI) at an equal training budget.

No condition (the plain backbone ``G``), RCOT's single latent embedding ``e3``
and DA-RCOT's multi-scale embeddings ``(e1, e2, e3)`` (Eq. 14-15) are trained
with the same configuration, steps and seed, then scored on the same validation
batch. :func:`summarise_runs` reads the longer runs of ``scripts/ablation_cpu.sh``
(each variant for the same CPU wall time).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import torch

from rcot_lib.eval_data import EVAL_SETS
from rcot_lib.tables import markdown_table
from rcot_lib.train_config import TrainConfig

CONDITIONS = ("none", "single", "multiscale")


def conditioning_ablation(
    cfg: TrainConfig,
    conditions: tuple[str, ...] = CONDITIONS,
    *,
    data: str | None = None,
    device: str | torch.device = "auto",
    progress: bool = True,
) -> list[dict]:
    """Train one map per condition with ``cfg`` and compare them.

    Returns
    -------
    list of dict
        One row per condition: ``condition``, ``params`` (map parameters),
        ``val_psnr_in`` / ``val_psnr`` (RGB PSNR of inputs and outputs on the
        fixed validation batch of :func:`rcot_lib.training_data.validation_batch`)
        and ``seconds`` (training wall time).
    """
    import time

    from rcot_lib.models import count_parameters
    from rcot_lib.scoring import validate
    from rcot_lib.train import train
    from rcot_lib.training_data import validation_batch

    val = validation_batch(cfg.tasks, cfg.val_size, cfg.val_images)
    rows = []
    for condition in conditions:
        variant = cfg.replace(model={"condition": condition}, val_every=0)
        start = time.perf_counter()
        result = train(variant, None, device=device, data=data, progress=progress)
        seconds = time.perf_counter() - start
        T = result.T.cpu()
        rows.append(
            {"condition": condition, "params": count_parameters(T), "seconds": seconds}
            | validate(T, val)
        )
    return rows


def summarise_runs(
    folder: str | os.PathLike, variants: tuple[str, ...] = CONDITIONS
) -> dict[str, dict]:
    """Steps, times, validation curve and benchmark PSNR of each trained variant.

    Reads what ``scripts/ablation_cpu.sh`` (or ``scripts/unpaired_cpu.sh``, with
    ``variants`` its variant names) leaves in ``folder``: per variant
    ``<variant>/history.json`` (from :func:`rcot_lib.train.train`) and the
    ``rcot eval --json`` files in ``<variant>/eval/``. Variants without a
    history are left out.

    Returns
    -------
    dict
        Per condition: ``steps``, ``wall_s``, ``s_per_step``, ``curve`` (lists
        ``step``, ``minutes`` and ``val_psnr`` of the validation records),
        ``val_psnr_in`` and ``benchmarks`` (set name -> ``psnr_in`` / ``psnr_out``,
        and where recorded ``ssim_out`` and the Y-channel ``psnr_y_out``).

    Raises
    ------
    FileNotFoundError
        If ``folder`` holds no variant's history.
    """
    folder = Path(folder)
    runs = {}
    for condition in variants:
        path = folder / condition / "history.json"
        if not path.is_file():
            continue
        history = json.loads(path.read_text())
        records = history["records"]
        val = [r for r in records if "val_psnr" in r]
        wall = records[-1]["time"] if records else 0.0
        evals = {p.stem: json.loads(p.read_text())
                 for p in sorted((folder / condition / "eval").glob("*.json"))}
        runs[condition] = {
            "steps": history["step"],
            "wall_s": round(wall, 1),
            "s_per_step": round(wall / max(history["step"], 1), 3),
            "curve": {"step": [r["step"] for r in val],
                      "minutes": [round(r["time"] / 60, 3) for r in val],
                      "val_psnr": [round(r["val_psnr"], 3) for r in val]},
            "val_psnr_in": round(val[0]["val_psnr_in"], 3) if val else None,
            "benchmarks": {
                name: {k: round(result[k], 2 if k.startswith("psnr") else 4)
                       for k in ("psnr_in", "psnr_out", "ssim_out", "psnr_y_in",
                                 "psnr_y_out") if k in result}
                for name, result in evals.items()
            },
        }
    if not runs:
        raise FileNotFoundError(
            f"no run in {folder}: expected {'/, '.join(variants)}/ each with a "
            "history.json (as scripts/ablation_cpu.sh and unpaired_cpu.sh write them)"
        )
    return runs


def seed_runs(
    runs_dir: str | os.PathLike,
    summarise: Callable[[Path], dict[str, dict]] = summarise_runs,
) -> Iterator[tuple[str, dict[str, dict]]]:
    """``(seed, summarise(RUNS/seedk))`` for each ``seed*`` folder of ``runs_dir``, in
    seed order, as the multi-seed scripts lay them out (``RUNS/seed0``, ``RUNS/seed1``,
    ...). A folder whose first run has not logged yet is skipped with a line on
    standard error.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for k in (10, 2):
    ...         _ = (Path(d) / f"seed{k}").mkdir()
    ...     [seed for seed, _ in seed_runs(d, summarise=lambda f: {})]
    ['2', '10']
    """
    seeds = {f.name.removeprefix("seed"): f for f in Path(runs_dir).glob("seed*")
             if f.is_dir() and f.name.removeprefix("seed").isdigit()}
    for seed in sorted(seeds, key=int):
        folder = seeds[seed]
        try:
            runs = summarise(folder)
        except FileNotFoundError:
            print(f"{folder}: no run with a history yet; skipped", file=sys.stderr)
            continue
        yield seed, runs


def _set_keys(runs: dict[str, dict]) -> list[str]:
    """The benchmark sets scored in any of ``runs``, sorted, a set on RGB before the
    same set on Y (``rain100l_rgb``, then ``rain100l``)."""
    return in_table_order({s for run in runs.values() for s in run["benchmarks"]})


def with_y_entry(run: dict) -> dict:
    """``run`` with Rain100L's Y-channel scores also under ``rain100l``.

    A run scored on ``rain100l_rgb`` carries Y beside RGB (``psnr_y_in``,
    ``psnr_y_out``); tables give each channel its own column by set key, so the Y
    scores get the key of the older, Y-only evaluation. Other runs are returned as
    they are.

    >>> run = {"benchmarks": {"rain100l_rgb": {"psnr_in": 25.5, "psnr_out": 27.8,
    ...                                        "psnr_y_in": 26.9, "psnr_y_out": 29.3}}}
    >>> with_y_entry(run)["benchmarks"]["rain100l"]
    {'psnr_in': 26.9, 'psnr_out': 29.3}
    """
    rgb = run["benchmarks"].get("rain100l_rgb")
    if rgb is None or "psnr_y_out" not in rgb:
        return run
    y = {"psnr_in": rgb["psnr_y_in"], "psnr_out": rgb["psnr_y_out"]}
    return {**run, "benchmarks": {**run["benchmarks"], "rain100l": y}}


def in_table_order(sets: set[str]) -> list[str]:
    """Sorted by name, ``<set>_rgb`` just before ``<set>`` (RGB first, Y beside it)."""
    return sorted(sets, key=lambda s: (s.removesuffix("_rgb"), not s.endswith("_rgb")))


def runs_table(runs: dict[str, dict]) -> str:
    """A Markdown table of :func:`summarise_runs`: steps, s/step, PSNR out per set."""
    sets = _set_keys(runs)
    head = ["condition", "steps", "s/step", *(EVAL_SETS.get(s, s) for s in sets)]
    rows = [[condition, f"{run['steps']:,}", f"{run['s_per_step']:.2f}",
             *(f"{run['benchmarks'][s]['psnr_out']:.2f}" if s in run["benchmarks"]
               else "-" for s in sets)]
            for condition, run in runs.items()]
    return markdown_table(head, rows)


def seeds_summary(
    seed_runs: list[dict[str, dict]], baseline: str | None = "none"
) -> dict[str, dict]:
    """Mean and spread over seeds of :func:`summarise_runs` results.

    Each element of ``seed_runs`` is one seed's ``summarise_runs`` (the same
    variants, steps and benchmark sets, another ``seed``). Besides each variant's
    PSNR, the *gain* over the ``baseline`` variant of the same seed (the
    unconditioned map by default) is averaged: the paired difference removes what
    the seed does to every variant alike. With two or more seeds the gain also
    carries ``ci95``, the two-sided 95 % Student-t interval of its mean, and ``p``,
    the two-sided p-value of the paired t-test of a zero gain (absent when every
    seed gains the same).

    Returns
    -------
    dict
        Per condition: ``seeds`` (how many), ``steps`` (mean), and per set
        ``psnr_out`` and ``gain`` (PSNR minus that of ``baseline`` of the same
        seed; absent without a ``baseline`` run or with ``baseline=None``), each
        ``{"mean", "std", "values"}`` with the sample standard deviation (0 for
        one seed).

    Raises
    ------
    ValueError
        If ``seed_runs`` is empty or the seeds do not hold the same variants.
    """
    import numpy as np

    if not seed_runs:
        raise ValueError("seeds_summary needs at least one seed's runs")
    conditions = list(seed_runs[0])
    if any(list(runs) != conditions for runs in seed_runs):
        found = [list(runs) for runs in seed_runs]
        raise ValueError(f"every seed must hold the same variants; found {found}")

    def stats(values: list[float], ci: bool = False) -> dict:
        v = np.asarray(values, dtype=float)
        std = float(v.std(ddof=1)) if len(v) > 1 else 0.0
        out = {"mean": round(float(v.mean()), 3), "std": round(std, 3),
               "values": [round(float(x), 2) for x in v]}
        if ci and len(v) > 1:
            from scipy.stats import t

            se = std / np.sqrt(len(v))
            half = float(t.ppf(0.975, len(v) - 1) * se)
            out["ci95"] = [round(float(v.mean()) - half, 3),
                           round(float(v.mean()) + half, 3)]
            if se > 0:  # two-sided paired t-test of "no gain"
                out["p"] = round(float(2 * t.sf(abs(v.mean()) / se, len(v) - 1)), 3)
        return out

    out = {}
    for c in conditions:
        sets = sorted(set.intersection(*(set(r[c]["benchmarks"]) for r in seed_runs)))
        per_set = {}
        for s in sets:
            psnr = [r[c]["benchmarks"][s]["psnr_out"] for r in seed_runs]
            per_set[s] = {"psnr_out": stats(psnr)}
            if baseline is not None and all(
                    baseline in r and s in r[baseline]["benchmarks"]
                    for r in seed_runs):
                base = [r[baseline]["benchmarks"][s]["psnr_out"] for r in seed_runs]
                gain = [a - b for a, b in zip(psnr, base, strict=True)]
                per_set[s]["gain"] = stats(gain, ci=True)
        out[c] = {"seeds": len(seed_runs),
                  "steps": round(float(np.mean([r[c]["steps"] for r in seed_runs]))),
                  "benchmarks": per_set}
    return out


def seeds_table(*summaries: dict[str, dict], baseline: str = "none") -> str:
    """A Markdown table of :func:`seeds_summary`: PSNR mean +/- std per set, and
    in brackets the mean +/- std gain over the ``baseline`` of the same seed (a
    single seed prints its values without a spread).

    Several summaries (e.g. the same seeds at 1,500 and at 3,000 steps) give one
    block of rows each, in order, under one header.
    """

    def cell(condition: str, b: dict | None) -> str:
        if b is None:
            return "-"
        p, one = b["psnr_out"], len(b["psnr_out"]["values"]) == 1
        text = f"{p['mean']:.2f}" if one else f"{p['mean']:.2f} ± {p['std']:.2f}"
        if "gain" in b and condition != baseline:
            g = b["gain"]  # over the seeds that ran both (maybe fewer)
            text += (f" ({g['mean']:+.2f})" if len(g["values"]) == 1
                     else f" ({g['mean']:+.2f} ± {g['std']:.2f})")
        return text

    if not summaries:
        raise ValueError("seeds_table needs at least one seeds_summary")
    sets = in_table_order({s for summary in summaries for s in _set_keys(summary)})
    head = ["condition", "seeds", "steps", *(EVAL_SETS.get(s, s) for s in sets)]
    rows = [[condition, str(run["seeds"]), f"{run['steps']:,}",
             *(cell(condition, run["benchmarks"].get(s)) for s in sets)]
            for summary in summaries for condition, run in summary.items()]
    return markdown_table(head, rows)
