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
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax, k in zip(axes.flat, range(nrows * ncols)):
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


# --- degradations, residuals and spectra ----------------------------------------


# --- training curves and restorations -------------------------------------------


# --- embeddings ------------------------------------------------------------------
