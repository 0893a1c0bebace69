"""Image panels shared by the notebooks (matplotlib only): images in a row or grid,
and rows of degraded / restored / clean images with their PSNR.

Every function draws on a new figure and returns it; notebooks call ``plt.show()``
or let the inline backend do it. The other figures have modules of their own:
:mod:`rcot_lib.viz_toy2d` (toy 2-D plans and maps), :mod:`rcot_lib.viz_spectra`
(residuals and their spectra), :mod:`rcot_lib.viz_training` (training curves, the
conditioning ablation), :mod:`rcot_lib.viz_embeddings` (t-SNE),
:mod:`rcot_lib.viz_costs` (the cost-norm lab) and :mod:`rcot_lib.viz_unpaired`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from rcot_lib.moved_names import forward


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


#: Names that moved out of this module keep this import path (see
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.viz_toy2d": (
        "plot_samples", "plot_plan", "plot_plan_matrix", "plot_map_arrows",
        "plot_residual_scatter",
    ),
    "rcot_lib.viz_spectra": (
        "show_residual_spectra", "plot_score_boxes", "plot_radial_power",
    ),
    "rcot_lib.viz_training": (
        "CONDITION_NAMES", "plot_history", "plot_ablation_curves", "plot_seed_gains",
    ),
    "rcot_lib.viz_embeddings": (
        "TASK_COLOURS", "plot_tsne", "plot_tsne_panels",
    ),
})
