"""Plots of degradation residuals and their spectra (DA-RCOT Fig. 3, notebook 03).

The degraded image, its residual ``r = x - y`` and ``log |F r|`` row by row; box
plots of a sparsity score per group; radially averaged power spectra. Every
function draws on the ``ax`` it is given (or a new figure) and returns the figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from rcot_lib.viz import to_display


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
