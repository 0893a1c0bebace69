"""Plots of training runs: one run's curves, and the conditioning ablation
(DA-RCOT Table VI) read at equal steps, at equal wall time and over seeds.

Every function draws on a new figure and returns it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

_CURVE_TITLES = {
    "loss": "map loss", "cost": "transport cost c(x, T(x))",
    "gap": "potential gap E phi(y) - E phi(T(x))", "l1": "paired L1 |T(x) - y|",
    "con": "contrastive L_con", "gp": "gradient penalty", "val_psnr": "val PSNR (dB)",
}


def plot_history(
    history: dict | list, keys: tuple[str, ...] = ("loss", "cost", "gap", "val_psnr"),
    size: float = 3.2,
) -> plt.Figure:
    """Training curves (one panel per key) of a :func:`rcot_lib.train.train` history.

    Parameters
    ----------
    history : dict or list of dict
        The ``history`` (with ``"records"``) or the records themselves.
    keys : tuple of str
        Record fields to plot against ``step``; missing ones are skipped.
    """
    records = history["records"] if isinstance(history, dict) else history
    keys = [k for k in keys if any(k in r for r in records)] or ["loss"]
    fig, axes = plt.subplots(1, len(keys), figsize=(size * len(keys), size * 0.8),
                             squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        pts = [(r["step"], r[key]) for r in records if key in r]
        if pts:
            steps, vals = zip(*pts, strict=True)
            ax.plot(steps, vals, marker="." if len(pts) < 30 else None)
        if key == "val_psnr":
            base = [(r["step"], r["val_psnr_in"]) for r in records
                    if "val_psnr_in" in r]
            if base:
                ax.plot(*zip(*base, strict=True), ls="--", c="gray", label="input")
                ax.legend(fontsize=8)
        ax.set_title(_CURVE_TITLES.get(key, key), fontsize=9)
        ax.set_xlabel("step")
    fig.tight_layout()
    return fig


#: Legend names of the conditioning variants (DA-RCOT Table VI).
CONDITION_NAMES = {"none": "none (one pass)", "single": "single e3 (RCOT)",
                   "multiscale": "multi-scale (DA-RCOT)"}


def plot_ablation_curves(runs: dict[str, dict], size: float = 3.6) -> plt.Figure:
    """Validation PSNR of each conditioning variant against steps and wall time.

    The same runs read two ways: at an equal number of steps (left, the paper's
    Table VI) and at an equal wall time (right, the budget a CPU user has).

    Parameters
    ----------
    runs : dict
        :func:`rcot_lib.ablation.summarise_runs` output (or its saved JSON):
        per condition a ``curve`` with lists ``step``, ``minutes``, ``val_psnr``.
        A run whose ``minutes`` is ``None`` (e.g. one resumed after a stop, whose
        clock restarted) is drawn against steps only.
    """
    fig, axes = plt.subplots(1, 2, figsize=(2 * size, size * 0.8), sharey=True)
    for k, (condition, run) in enumerate(runs.items()):
        curve = run["curve"]
        label = f"{CONDITION_NAMES.get(condition, condition)}, {run['steps']:,} steps"
        for ax, key in zip(axes, ("step", "minutes"), strict=True):
            if curve[key] is not None:
                ax.plot(curve[key], curve["val_psnr"], label=label, lw=1.2,
                        color=f"C{k}")
    axes[0].set_xlabel("training step")
    axes[1].set_xlabel("wall time (minutes)")
    axes[0].set_ylabel("val PSNR (dB)")
    axes[0].set_title("equal steps", fontsize=9)
    axes[1].set_title("equal wall time", fontsize=9)
    axes[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_seed_gains(
    summaries: list[dict[str, dict]], size: float = 3.0,
) -> plt.Figure:
    """Each seed's gain over the one-pass map, per benchmark set and training length.

    One panel per set (on RGB where a set is scored on RGB and on Y); for each
    conditioned variant and each summary (e.g. 1,500
    and 3,000 steps) a dot per seed and the mean +/- one standard deviation. A gain
    is a difference of PSNR between two maps *of the same seed*, so a variant whose
    dots all lie above zero beats the one-pass map for every seed tried.

    Parameters
    ----------
    summaries : list of dict
        :func:`rcot_lib.ablation.seeds_summary` outputs, with a ``"none"`` run (the
        gains are measured against it).
    """
    from rcot_lib.eval_data import EVAL_SETS

    if not summaries:
        raise ValueError("plot_seed_gains needs at least one seeds_summary")
    from rcot_lib.ablation import in_table_order

    gained = {s for summary in summaries for run in summary.values()
              for s, b in run["benchmarks"].items() if "gain" in b}
    # a set scored on RGB is drawn on RGB only (its Y gains are in the tables)
    sets = [s for s in in_table_order(gained) if f"{s}_rgb" not in gained]
    if not sets:
        raise ValueError("no gains to plot: the summaries hold no 'none' run")
    named = dict.fromkeys(c for summary in summaries for c in summary)
    conditions = [c for c in named if c != "none"]
    fig, axes = plt.subplots(1, len(sets), figsize=(size * len(sets), size * 0.9),
                             squeeze=False, sharey=True)
    width = 0.8 / max(len(conditions), 1)
    steps = [next(iter(summary.values()))["steps"] for summary in summaries]
    for ax, s in zip(axes[0], sets, strict=True):
        ax.axhline(0.0, color="0.5", lw=0.8)
        for j, c in enumerate(conditions):
            for i, summary in enumerate(summaries):
                b = summary.get(c, {}).get("benchmarks", {}).get(s)
                if b is None or "gain" not in b:
                    continue
                g = b["gain"]
                x = i + (j - (len(conditions) - 1) / 2) * width
                ax.plot([x] * len(g["values"]), g["values"], "o", ms=3.5, alpha=0.6,
                        color=f"C{j + 1}",
                        label=CONDITION_NAMES.get(c, c) if i == 0 else None)
                ax.errorbar(x + width * 0.25, g["mean"], yerr=g["std"], fmt="_", ms=10,
                            color=f"C{j + 1}", capsize=3)
        ax.set_xticks(range(len(summaries)))
        ax.set_xticklabels([f"{n:,} steps" for n in steps], fontsize=8)
        ax.set_title(EVAL_SETS.get(s, s), fontsize=9)
    axes[0, 0].set_ylabel("gain over one pass (dB)")
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig
