"""Figures of the cost-norm lab: one function per widget of notebooks 01-03.

Each ``draw_*`` function computes with :mod:`rcot_lib.cost_lab` (or
:mod:`rcot_lib.pairing`), draws one matplotlib figure and returns the numbers it
shows; its keyword defaults are the widget's starting values, so a notebook
passes it to :func:`rcot_lib.widgets.interact_or_static` as it is (or through a
one-line wrapper that supplies its data).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from rcot_lib import cost_lab, costs, toy2d, viz_toy2d

TRANSFORMS = list(costs.TRANSFORMS)
BASES = list(costs.BASES)
NORMS = list(costs.NORMS)
_BASE_TEX = {"euclidean": "\\|r\\|", "sqeuclidean": "\\|r\\|^2", "none": "0"}


def cost_label(base: str, lam: float, p: float, transform: str, norm: str) -> str:
    """The cost of Eq. 4 as a title: ``||r|| + 1.0 ||F r||_1.00 (dct, ortho)``."""
    f = {"dct": "D", "fft": "F", "identity": ""}[transform]
    extra = "" if transform == "identity" else f", {norm}"
    return (f"$c = {_BASE_TEX[base]} + {lam:.1f}\\,\\|{f} r\\|_{{{p:.2f}}}$ "
            f"({transform}{extra})")


# --- notebook 01: plan, cost, marginals and sparse residuals ------------------------


def draw_cost_lab(
    data: str = "points", transform: str = "dct", base: str = "euclidean",
    p: float = 1.0, lam: float = 1.0, norm: str = "ortho", n: int = 12, seed: int = 1,
) -> dict:
    """The exact plan under one FROT cost, its cost, its marginals, its residuals.

    Left: the plan (segments for 2-D points; the matrix for 1-D signals, the
    planted pairs circled). Middle: the target marginal ``b`` beside the plan's
    pushforward ``P^T 1`` (equal: a constraint) and the pushforward of the map
    ``i -> argmax_j P_ij`` (short of ``b`` wherever a source splits). Right: the
    transported residuals in the basis of ``F`` (points: the two coefficients,
    dot area ~ mass; signals: the mass-weighted mean ``|F r|`` per coefficient,
    beside that of the planted pairs) and the mass on sparse residuals.
    """
    prob = cost_lab.lab_problem(data, n, seed)
    X, Y, a, b, truth = (prob[k] for k in ("X", "Y", "a", "b", "truth"))
    s = cost_lab.plan_summary(X, Y, a, b, lam, p, transform, base, norm, truth)
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.9))
    title = f"exact plan, $\\langle C, P\\rangle$ = {s['cost']:.3f}"
    if data == "points":
        viz_toy2d.plot_plan(X, Y, s["P"], ax=axes[0], title=title)
    else:
        axes[0].imshow(s["P"], cmap="Greys", interpolation="nearest")
        axes[0].scatter(truth, np.arange(len(truth)), s=70, facecolors="none",
                        edgecolors="tab:red", lw=0.8)
        axes[0].set_xlabel("target $j$")
        axes[0].set_ylabel("source $i$")
        axes[0].set_title(f"{title}\n{100 * s['on_truth']:.0f} % of the mass on "
                          "the planted pairs (circles)", fontsize=9)
    j = np.arange(len(b))
    bars = [(b, "target $b$"), (s["plan_push"], "plan $P^\\top 1$"),
            (s["map_push"], "map $i \\to \\arg\\max_j P_{ij}$")]
    for k, (vals, name) in enumerate(bars):
        axes[1].bar(j + (k - 1) * 0.28, vals, width=0.28, label=name, color=f"C{k}")
    axes[1].set_xlabel("target $j$")
    axes[1].set_ylim(0, 1.5 * max(b.max(), s["map_push"].max()))
    axes[1].legend(fontsize=7, loc="upper left", ncol=2)
    axes[1].set_title(f"pushforward vs target: {s['split']} source(s) split",
                      fontsize=9)
    share = f"{100 * s['sparse_share']:.0f} % of the mass on residuals sparse in F"
    ax = axes[2]
    if data == "points":
        Z = np.real(costs.fourier_coefficients(s["residuals"], transform, norm))
        ax.scatter(*Z.T, s=2000 * s["mass"], alpha=0.6)
        ax.axhline(0, c="0.6", lw=0.6)
        ax.axvline(0, c="0.6", lw=0.6)
        ax.set_aspect("equal")
        ax.set_xlabel("$(F r)_0$")
        ax.set_ylabel("$(F r)_1$")
    else:
        mags = np.abs(costs.fourier_coefficients(s["residuals"], transform, norm))
        planted = np.abs(costs.fourier_coefficients(X - Y[truth], transform, norm))
        k = np.arange(mags.shape[1])
        ax.bar(k, s["mass"] @ mags / s["mass"].sum(), color="C0", label="plan")
        ax.step(k, planted.mean(0), where="mid", c="tab:red", label="planted pairs")
        ax.set_xlabel("coefficient $k$")
        ax.set_ylabel("mean $|(F r)_k|$")
        ax.legend(fontsize=7)
    ax.set_title(share, fontsize=9)
    fig.suptitle(f"{data}: " + cost_label(base, lam, p, transform, norm), fontsize=10)
    fig.tight_layout()
    return {"cost": s["cost"], "sparse_share": s["sparse_share"], "split": s["split"]}


# --- notebook 02: where the residuals of an exact plan lie --------------------------


def draw_residual_axes(
    X: np.ndarray, Y: np.ndarray, lam: float = 0.0, p: float = 1.0,
    transform: str = "dct", base: str = "sqeuclidean", norm: str = "ortho",
) -> dict:
    """The exact plan between 2-D samples and its residuals ``x - T(x)`` in the DCT
    basis and in the pixel basis, with the share on each basis's axes
    (:func:`rcot_lib.toy2d.dct_axis_fraction`)."""
    C = toy2d.cost_matrix(X, Y, lam, p, transform, base, norm)
    plan, cost = toy2d.exact_plan(X, Y, C)
    R = X - toy2d.barycentric_map(plan, Y)
    frac = {b: toy2d.dct_axis_fraction(R, basis=b) for b in ("dct", "identity")}
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.9))
    viz_toy2d.plot_plan(X, Y, plan, ax=axes[0], max_lines=300,
                        title=f"exact plan, $\\langle C, P\\rangle$ = {cost:.3f}")
    viz_toy2d.plot_residual_scatter(R, ax=axes[1], dct=True,
                                    title=f"{100 * frac['dct']:.0f} % on DCT axes")
    viz_toy2d.plot_residual_scatter(
        R, ax=axes[2], dct=False,
        title=f"{100 * frac['identity']:.0f} % on pixel axes",
    )
    fig.suptitle(cost_label(base, lam, p, transform, norm), fontsize=10)
    fig.tight_layout()
    return {"cost": cost, "dct_axes": frac["dct"], "pixel_axes": frac["identity"]}


# --- notebook 03: the two terms of Eq. 4 on real residuals --------------------------

P_GRID = np.linspace(0.5, 2.0, 16)
CROP_SIZES = (16, 32, 64, 128, 256)


def draw_cost_terms(
    clean: torch.Tensor, task: str = "derain", level: float = 0.3, p: float = 1.0,
    lam: float = 1.0, norm: str = "backward", crop: int = 128, seed: int = 0,
    reference: str = "denoise_25",
) -> dict:
    """The pixel term and ``lam ||F r||_p`` of a degradation's residual, the price
    of the Fourier term against noise for every ``p``, and its growth with the crop.

    ``clean`` (``(C, H, W)``) is degraded whole (``level`` through
    ``degradations.level_params``) and the residual cut to its central
    ``crop x crop``; ``reference`` gives the noise residual of the same crop.
    """
    from rcot_lib.images import center_crop

    big = cost_lab.task_residual(clean, task, level, seed)
    r = center_crop(big, crop)
    noise = center_crop(cost_lab.task_residual(clean, reference, seed=seed), crop)
    terms = cost_lab.cost_terms(r, p, lam, norm)
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
    rmap = r.mean(0).numpy()
    lim = float(np.abs(rmap).max()) or 1.0
    axes[0].imshow(rmap, cmap="coolwarm", vmin=-lim, vmax=lim)
    axes[0].set_title(f"{task}, level {level:.2f}: r = x - y\n"
                      f"{crop} x {crop} px (±{lim:.2f})", fontsize=9)
    axes[0].axis("off")
    ax = axes[1]
    vals = [terms["pixel"], terms["fourier"]]
    ax.bar([0, 1], vals, color=["C0", "C1"])
    ax.set_xticks([0, 1], ["pixel term\nrms(r)", f"$\\lambda\\,\\|F r\\|_{{{p:.2f}}}$"])
    ax.set_yscale("log")
    for x, v in enumerate(vals):
        ax.text(x, v, f"{v:.3g}", ha="center", va="bottom", fontsize=8)
    ax.set_title(f"Fourier / pixel = {terms['ratio']:.3g} ({norm})", fontsize=9)
    ax = axes[2]
    pr_task = cost_lab.price(r, P_GRID)
    pr_noise = cost_lab.price(noise, P_GRID)
    ax.plot(P_GRID, pr_task, c="C1", label=task)
    ax.plot(P_GRID, pr_noise, c="C0", label=reference)
    ax.plot(P_GRID, cost_lab.rayleigh_price(P_GRID), c="0.5", ls=":",
            label="white noise, closed form")
    ax.axvline(p, c="k", lw=0.7)
    rel = float(np.interp(p, P_GRID, pr_task) / np.interp(p, P_GRID, pr_noise))
    ax.set_xlabel("p")
    ax.set_ylabel("Fourier term / pixel term (ortho)")
    ax.legend(fontsize=7)
    ax.set_title(f"at p = {p:.2f} the residual costs {rel:.2f} x noise", fontsize=9)
    ax = axes[3]
    sizes = [s for s in CROP_SIZES if s <= min(big.shape[-2:])]
    rms = cost_lab.crop_terms(big, sizes, 2.0, "ortho")  # Parseval: the pixel term
    ax.loglog(sizes, cost_lab.crop_terms(big, sizes, p, norm) / rms, "-o", ms=3,
              c="C1", label=f"p = {p:.2f}, {norm}")
    ax.loglog(sizes, cost_lab.crop_terms(big, sizes, 2.0, "backward") / rms, "x",
              c="C0", label="p = 2, backward")
    ax.loglog(sizes, sizes, c="0.5", lw=0.8, ls="--", label="$\\sqrt{HW}$")
    ax.axhline(1.0, c="0.5", lw=0.8, ls=":")
    ax.axvline(crop, c="k", lw=0.7)
    ax.set_xticks(sizes, [str(v) for v in sizes])
    ax.minorticks_off()
    ax.set_xlabel("crop side $\\sqrt{HW}$ (px)")
    ax.set_ylabel("Fourier term / pixel term")
    ax.legend(fontsize=7)
    ax.set_title("unnormalised p = 2: exactly $\\sqrt{HW}$ x the pixel term",
                 fontsize=9)
    fig.tight_layout()
    return {**terms, "relative_to_noise": rel}


# --- notebook 03: does the cost recover the pairing? --------------------------------


P_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


def draw_pairing(
    task: str = "derain", p: float = 1.0, lam: float = 1.0, transform: str = "dct",
    n: int = 128, size: int = 8, seed: int = 0, ps: tuple = P_STEPS,
) -> dict:
    """Pairs recovered by exact OT between degraded and clean patches
    (:func:`rcot_lib.pairing.pairing_recovery`) against ``p``, and a few of the
    pairs the chosen cost gets wrong (degraded, true clean, matched clean)."""
    from rcot_lib import pairing

    res = pairing.pairing_recovery(task, n, p, lam, transform, size=size, seed=seed)
    curve = [pairing.pairing_recovery(task, n, q, lam, transform, size=size,
                                      seed=seed)["recovered"] for q in ps]
    plain = pairing.pairing_recovery(task, n, 1.0, 0.0, size=size, seed=seed)
    X, Y = pairing.patch_pairs(task, n, size, seed)
    wrong = np.flatnonzero(np.any(Y[res["matched"]] != Y, axis=1))[:3]
    fig = plt.figure(figsize=(11, 3.6))
    grid = fig.add_gridspec(3, 6)
    ax = fig.add_subplot(grid[:, :3])
    ax.plot(ps, curve, "-o", ms=3, label=f"$\\lambda$ = {lam:.1f}, {transform}")
    ax.axhline(plain["recovered"], c="0.5", ls="--", label="$\\lambda$ = 0 (Euclidean)")
    ax.plot([p], [res["recovered"]], "o", c="tab:red", ms=7)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("p")
    ax.set_ylabel("fraction of true pairs recovered")
    ax.legend(fontsize=7)
    ax.set_title(f"{task}: {100 * res['recovered']:.0f} % at p = {p:.2f}, margin "
                 f"{res['margin']:.2g} per pair", fontsize=9)
    for row in range(3):
        for col, name in enumerate(("degraded", "true clean", "matched")):
            a = fig.add_subplot(grid[row, 3 + col])
            a.axis("off")
            if row < len(wrong):
                i = wrong[row]
                patch = (X[i], Y[i], Y[res["matched"][i]])[col]
                a.imshow(patch.reshape(size, size), cmap="gray", vmin=0, vmax=1)
            if row == 0:
                a.set_title(name, fontsize=8)
    if not len(wrong):
        fig.text(0.75, 0.5, "every pair recovered", ha="center", fontsize=9)
    fig.tight_layout()
    return {k: res[k] for k in ("recovered", "margin", "relative_margin")}
