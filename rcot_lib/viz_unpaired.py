"""Figures of notebook 06: the best response of the map, and the unpaired variants
side by side (restoration, residual, residual spectrum)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from rcot_lib.best_response import best_response, noisy_gradient
from rcot_lib.spectra import log_spectrum, sparsity_scores
from rcot_lib.unpaired import LABELS


def _show(ax, image: torch.Tensor, title: str) -> None:
    ax.imshow(image.clamp(0, 1).permute(1, 2, 0).numpy())
    ax.set_title(title, fontsize=8)
    ax.axis("off")


def _spectrum(r: torch.Tensor) -> torch.Tensor:
    """The centred log magnitude of ``r``'s spectrum, averaged over channels."""
    return log_spectrum(r, "ortho", eps=1e-6)


def _residual(ax, r: torch.Tensor, title: str, scale: float) -> None:
    ax.imshow((r.mean(0) / scale).clamp(-1, 1).numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title(title, fontsize=8)
    ax.axis("off")


def plot_best_response(
    x: torch.Tensor,
    y: torch.Tensor,
    sigma: float = 0.5,
    lam: float = 0.0,
    p: float = 1,
    critic_noise: float = 0.5,
    seed: int = 0,
    size: float = 2.2,
) -> plt.Figure:
    """What the cost makes of an imperfect potential (linearised Eq. 8).

    The potential's gradient at ``x`` is modelled as the ideal direction toward
    the clean image plus white noise of relative size ``critic_noise``:
    ``g = 2 sigma ((y - x) + critic_noise ||y - x|| w / ||w||)``, so that without
    a Fourier term and without noise the map would land on ``y``. The figure shows
    the map's best response ``x - r*`` (:func:`rcot_lib.best_response.best_response`),
    its residual ``r*`` beside the true one, and their spectra.
    """
    true = x - y  # (C, H, W): the degradation
    g = noisy_gradient(x, y, sigma, critic_noise, seed)
    r = best_response(g, sigma=sigma, lam=lam, p=p)
    out = x - r
    from rcot_lib.metrics import psnr

    scale = float(true.abs().quantile(0.99)) or 1.0
    fig, axes = plt.subplots(1, 6, figsize=(6 * size, size * 1.05))
    _show(axes[0], x, f"x ({float(psnr(x, y)):.1f} dB)")
    _show(axes[1], out, f"x - r* ({float(psnr(out, y)):.1f} dB)")
    _residual(axes[2], true, "true residual x - y", scale)
    _residual(axes[3], r, f"r* (p = {p:g}, lambda = {lam:g})", scale)
    vmin = float(_spectrum(true).quantile(0.05))
    vmax = float(_spectrum(true).max())
    for ax, res, name in ((axes[4], true, "|F(x - y)|"), (axes[5], r, "|F r*|")):
        ax.imshow(_spectrum(res).numpy(), cmap="magma", vmin=vmin, vmax=vmax)
        ax.set_title(f"{name} (log)", fontsize=8)
        ax.axis("off")
    coef = torch.fft.fft2(r.double(), norm="ortho").abs()
    zero = float((coef < 1e-6).double().mean())
    fig.suptitle(f"best response to a noisy potential: {100 * zero:.0f} % of the "
                 "Fourier coefficients of r* are zero", fontsize=9)
    fig.tight_layout()
    return fig


def plot_variants(
    x: torch.Tensor,
    y: torch.Tensor,
    outputs: dict[str, torch.Tensor],
    size: float = 2.0,
) -> plt.Figure:
    """The same degraded image restored by several maps: output, residual, spectrum.

    Each spectrum's title gives the share of the residual's energy held by its
    largest 5 % Fourier coefficients (:func:`rcot_lib.spectra.top_energy`, mean
    over channels), its mean (DC) taken out first, since a brightness offset would
    otherwise dominate every score: about 0.2 for white noise (the top 5 % of
    exponentially distributed energies), near 1 for a residual that lives on few
    frequencies, such as rain streaks.

    Parameters
    ----------
    x, y : torch.Tensor, shape (C, H, W)
        Degraded and clean image.
    outputs : dict of str to torch.Tensor
        Variant name (e.g. ``"wgan-gp"`` or ``"paired"``) -> restored image.
    """
    from rcot_lib.metrics import psnr

    cols = len(outputs) + 1
    fig, axes = plt.subplots(3, cols, figsize=(cols * size, 3 * size))
    scale = float((x - y).abs().quantile(0.99)) or 1.0
    columns = [("input", x), *outputs.items()]
    vmin = float(_spectrum(x - y).quantile(0.05))
    vmax = float(_spectrum(x - y).max())
    for k, (name, image) in enumerate(columns):
        r = x - image
        label = LABELS.get(name, name)
        _show(axes[0, k], image, f"{label}\n{float(psnr(image, y)):.2f} dB")
        shown = x - y if name == "input" else r
        _residual(axes[1, k], shown, "x - y" if name == "input" else "x - T(x)",
                  scale)
        axes[2, k].imshow(_spectrum(shown).numpy(), cmap="magma", vmin=vmin,
                          vmax=vmax)
        ac = shown - shown.mean(dim=(1, 2), keepdim=True)
        top5 = float(sparsity_scores(ac)["top5"])
        axes[2, k].set_title(f"spectrum (log), top 5 % (no DC): {top5:.2f}",
                             fontsize=8)
        axes[2, k].axis("off")
    fig.tight_layout()
    return fig
