"""Plotting helpers shared by the notebooks (matplotlib only).

Every function draws on a new figure (or the ``ax`` it is given) and returns the
figure; notebooks call ``plt.show()`` or let the inline backend do it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch


def to_display(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """``(C, H, W)`` tensor or ``(H, W[, C])`` array to an ``imshow``-ready array."""
    if isinstance(image, torch.Tensor):
        image = image.detach().float().cpu().numpy()
        if image.ndim == 3:
            image = image.transpose(1, 2, 0)
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    return image


def show_images(
    images: list, titles: list[str] | None = None, ncols: int | None = None,
    size: float = 3.0, cmap: str | None = None,
) -> plt.Figure:
    """A row (or grid) of images with titles; grayscale images use ``cmap`` or gray."""
    n = len(images)
    ncols = ncols or n
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        img = to_display(images[k])
        ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None))
        if titles:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    return fig


# --- OT and toy 2-D plots -------------------------------------------------------


def _axes(ax: plt.Axes | None, size: float = 4.0) -> tuple[plt.Figure, plt.Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=(size, size))
        return fig, ax
    return ax.figure, ax


def plot_samples(
    X: np.ndarray, Y: np.ndarray, ax: plt.Axes | None = None, title: str = ""
) -> plt.Figure:
    """Source ``X`` (blue) and target ``Y`` (orange) point clouds, each ``(n, 2)``."""
    fig, ax = _axes(ax)
    ax.scatter(*X.T, s=6, c="tab:blue", alpha=0.6, label="source $\\mu$")
    ax.scatter(*Y.T, s=6, c="tab:orange", alpha=0.6, label="target $\\nu$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig


def plot_plan(
    X: np.ndarray, Y: np.ndarray, P: np.ndarray, ax: plt.Axes | None = None,
    title: str = "", max_lines: int = 600, threshold: float = 1e-8,
) -> plt.Figure:
    """A transport plan ``P`` ``(n, m)`` drawn as segments ``x_i -> y_j``, darker for
    more mass (the ``max_lines`` heaviest entries above ``threshold`` of the max)."""
    from matplotlib.collections import LineCollection

    fig, ax = _axes(ax)
    flat = P.ravel()
    keep = np.flatnonzero(flat > threshold * flat.max())
    keep = keep[np.argsort(flat[keep])[::-1][:max_lines]]
    i, j = np.unravel_index(keep, P.shape)
    alpha = np.clip(flat[keep] / flat[keep].max(), 0.05, 1.0)
    colors = np.zeros((len(keep), 4))
    colors[:, 3] = alpha * 0.8
    ax.add_collection(LineCollection(np.stack([X[i], Y[j]], 1), colors=colors, lw=0.8))
    ax.scatter(*X.T, s=10, c="tab:blue", zorder=3)
    ax.scatter(*Y.T, s=10, c="tab:orange", zorder=3)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    return fig


def plot_plan_matrix(
    P: np.ndarray, ax: plt.Axes | None = None, title: str = ""
) -> plt.Figure:
    """The plan ``P`` ``(n, m)`` as an image (rows: sources, columns: targets)."""
    fig, ax = _axes(ax, 3.5)
    ax.imshow(P, cmap="Greys", interpolation="nearest")
    ax.set_xlabel("target $j$")
    ax.set_ylabel("source $i$")
    ax.set_title(title, fontsize=10)
    return fig


def plot_map_arrows(
    X: np.ndarray, TX: np.ndarray, Y: np.ndarray | None = None,
    ax: plt.Axes | None = None, title: str = "", max_arrows: int = 250,
) -> plt.Figure:
    """A map as arrows ``x -> T(x)`` over the target cloud ``Y`` (if given)."""
    fig, ax = _axes(ax)
    if Y is not None:
        ax.scatter(*Y.T, s=5, c="tab:orange", alpha=0.35, label="target $\\nu$")
    k = min(len(X), max_arrows)
    d = TX[:k] - X[:k]
    ax.quiver(
        X[:k, 0], X[:k, 1], d[:, 0], d[:, 1], angles="xy", scale_units="xy",
        scale=1, width=0.003, color="0.25", alpha=0.7,
    )
    ax.scatter(*X[:k].T, s=6, c="tab:blue", label="$x$")
    ax.scatter(*TX[:k].T, s=6, c="tab:green", label="$T(x)$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig


def plot_residual_scatter(
    R: np.ndarray, ax: plt.Axes | None = None, title: str = "", dct: bool = True,
) -> plt.Figure:
    """Residuals ``r = x - T(x)`` ``(n, 2)``, in the DCT basis when ``dct`` (axes
    ``(Dr)_0``, ``(Dr)_1``): sparse residuals hug the axes."""
    from rcot_lib.costs import dct_matrix

    fig, ax = _axes(ax)
    Z = R @ dct_matrix(2).T if dct else R
    ax.scatter(*Z.T, s=5, alpha=0.5)
    ax.axhline(0, c="0.6", lw=0.6)
    ax.axvline(0, c="0.6", lw=0.6)
    name = "(Dr)" if dct else "r"
    ax.set_xlabel(f"${name}_0$")
    ax.set_ylabel(f"${name}_1$")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    return fig


# --- degradations, residuals and spectra ----------------------------------------


def show_residual_spectra(
    rows: list[tuple[str, torch.Tensor, torch.Tensor]], size: float = 2.4,
    channel: int | None = None,
) -> plt.Figure:
    """DA-RCOT Fig. 3: per row the degraded image, the residual ``r = x - y`` and
    ``log |F r|`` (centred, zero frequency in the middle).

    Parameters
    ----------
    rows : list of (title, degraded, clean)
        Images shaped ``(C, H, W)`` in ``[0, 1]``.
    channel : int, optional
        Show one channel's residual and spectrum; by default the channel mean.
    """
    from rcot_lib.spectra import log_spectrum, residual

    fig, axes = plt.subplots(
        len(rows), 3, figsize=(3 * size * 1.25, size * len(rows)), squeeze=False
    )
    for (title, degraded, clean), (a0, a1, a2) in zip(rows, axes, strict=True):
        r = residual(degraded, clean)
        r = r[channel : channel + 1] if channel is not None else r
        rmap = r.mean(0).numpy()
        lim = float(np.abs(rmap).max()) or 1.0
        a0.imshow(to_display(degraded), cmap="gray" if degraded.shape[0] == 1 else None)
        a1.imshow(rmap, cmap="coolwarm", vmin=-lim, vmax=lim)
        a2.imshow(log_spectrum(r).numpy(), cmap="magma")
        a0.set_ylabel(title, fontsize=10)
        for ax, name in ((a0, "degraded x"), (a1, f"residual x - y (±{lim:.2f})"),
                         (a2, "log |F r|")):
            ax.set_xticks([])
            ax.set_yticks([])
            if ax in axes[0]:
                ax.set_title(name, fontsize=9)
    fig.tight_layout()
    return fig


def plot_score_boxes(
    groups: dict[str, list[float]], score: str = "fourier_hoyer",
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """Box plot of one sparsity score per group (degradation or data set), with the
    group means as dots."""
    fig, ax = plt.subplots(figsize=(4.0, 3.6)) if ax is None else (ax.figure, ax)
    names = list(groups)
    values = [np.asarray(groups[n], dtype=float) for n in names]
    ax.boxplot(values, showfliers=False)
    ax.plot(range(1, len(names) + 1), [v.mean() for v in values], "o", color="C3",
            label="mean")
    ax.set_xticks(range(1, len(names) + 1), names, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel(score)
    ax.legend(fontsize=8)
    fig.set_size_inches(max(4.0, 0.7 * len(names) + 1.5), 3.6)
    fig.tight_layout()
    return fig


def plot_radial_power(
    profiles: dict[str, torch.Tensor], ax: plt.Axes | None = None
) -> plt.Figure:
    """Radially averaged power spectra (``spectra.radial_power``), log scale,
    each normalised to mean 1 so that shapes compare across degradations."""
    fig, ax = plt.subplots(figsize=(4.0, 3.6)) if ax is None else (ax.figure, ax)
    for name, p in profiles.items():
        p = p.detach().float().cpu().numpy()
        freq = (np.arange(len(p)) + 0.5) / len(p) * 0.5
        ax.semilogy(freq, p / p.mean(), label=name)
    ax.set_xlabel("radial frequency (cycles / pixel)")
    ax.set_ylabel("power / mean power")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --- training curves and restorations -------------------------------------------


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

    One panel per set; for each conditioned variant and each summary (e.g. 1,500
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
    sets = sorted({s for summary in summaries for run in summary.values()
                   for s, b in run["benchmarks"].items() if "gain" in b})
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


def show_restorations(
    degraded: list, restored: list, clean: list, names: list[str] | None = None,
    size: float = 2.6,
) -> plt.Figure:
    """Rows of degraded / restored / clean images with PSNR (RGB, 8-bit) in titles."""
    from rcot_lib.metrics import psnr

    rows = []
    titles = []
    for k, (x, t, y) in enumerate(zip(degraded, restored, clean, strict=True)):
        name = f"{names[k]}: " if names else ""
        rows += [x, t, y]
        titles += [f"{name}input {psnr(x, y):.2f} dB", f"restored {psnr(t, y):.2f} dB",
                   "clean"]
    return show_images(rows, titles, ncols=3, size=size)


# --- embeddings ------------------------------------------------------------------

#: Colours of the tasks in embedding plots: the noise levels in light to dark blue
#: (so their order reads off the plot), the other tasks in distinct hues.
TASK_COLOURS = {
    "denoise_15": "#9ecae1", "denoise_25": "#4292c6", "denoise_50": "#08306b",
    "derain": "#e6550d", "dehaze": "#31a354", "deblur": "#756bb1",
    "lowlight": "#8c6d31",
}


def plot_tsne(
    Y: np.ndarray, tasks: np.ndarray, ax: plt.Axes | None = None,
    title: str | None = None, size: float = 12.0,
) -> plt.Figure:
    """A 2-D t-SNE ``(n, 2)`` scattered by task (noise levels light to dark blue).

    The axes carry no ticks: t-SNE coordinates have no unit and only the
    neighbourhoods mean something.
    """
    Y, tasks = np.asarray(Y), np.asarray(tasks)
    if Y.ndim != 2 or Y.shape[1] != 2 or len(Y) != len(tasks):
        raise ValueError(
            f"expected Y (n, 2) and tasks (n,), got {Y.shape}, {tasks.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    for task in dict.fromkeys(tasks.tolist()):
        m = tasks == task
        ax.scatter(Y[m, 0], Y[m, 1], s=size, c=TASK_COLOURS.get(task, None),
                   label=f"{task} ({m.sum()})", alpha=0.8, linewidths=0)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, markerscale=1.5, loc="upper center", ncol=3,
              bbox_to_anchor=(0.5, -0.01), frameon=False)  # below the points
    return ax.figure


def plot_tsne_panels(
    panels: dict, scores: dict | None = None, suptitle: str | None = None,
) -> plt.Figure:
    """t-SNE panels side by side, ``{name: (Y (n, 2), tasks (n,))}``.

    With ``scores`` (``{name: embedding_scores(...)}``), each title carries the
    silhouette, the k-NN accuracy and whether the noise levels are ordered.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.8 * len(panels), 4.8),
                             squeeze=False)
    for ax, (name, (Y, tasks)) in zip(axes.flat, panels.items(), strict=True):
        title = name
        s = (scores or {}).get(name)
        if s:
            order = s.get("noise_levels_ordered")
            title += (f"\nsilhouette {s['silhouette']:.2f}, "
                      f"5-NN acc. {s['knn_accuracy']:.2f}")
            if order is not None:
                title += f", levels {'ordered' if order else 'not ordered'}"
        plot_tsne(Y, tasks, ax=ax, title=title)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig
