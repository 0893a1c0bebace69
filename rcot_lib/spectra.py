"""Residual spectra and sparsity scores (the observation behind ``p`` in Eq. 4).

The residual of a degradation is ``r = x - y`` (degraded ``x`` minus clean
``y``; the code's ``res = degraded - restored`` at the optimum). Its 2-D DFT per
channel, ``F r``, is sparse for rain, haze, blur and low light and flat for white noise
(DA-RCOT Fig. 3, SOT). This module measures that with scale-invariant scores of
a coefficient vector ``c`` of length ``N`` (magnitudes ``|c_k|``):

* Hoyer: ``(sqrt(N) - ||c||_1 / ||c||_2) / (sqrt(N) - 1)``, 0 when all ``|c_k|``
  are equal, 1 for a single non-zero;
* Gini index (Hurley and Rickard 2009): 0 when all are equal, ``1 - 1/N`` for one;
* top-k energy: the share of ``sum |c_k|^2`` in the largest 1 % (5 %) of ``|c_k|``.

The DFT is orthonormal by default (``norm="ortho"``), so Parseval holds:
``||F r||_2 = ||r||_2``. The scores do not depend on the normalisation.

References
----------
.. [1] N. Hurley and S. Rickard, "Comparing Measures of Sparsity", IEEE Trans.
   Information Theory 55(10), 2009.
.. [2] P. O. Hoyer, "Non-negative Matrix Factorization with Sparseness
   Constraints", JMLR 5, 2004.
.. [3] F. Wen, W. Wang, W. Yu, "Sparsity-Aware Optimal Transport for Unsupervised
   Restoration Learning" (SOT).
"""

from __future__ import annotations

import math

import torch

from rcot_lib.images import to_gray
from rcot_lib.tables import markdown_table

#: Score names, in table order.
SCORES = ("hoyer", "gini", "top1", "top5")
#: Domains the scores are computed in.
DOMAINS = ("fourier", "pixel")


def residual(degraded: torch.Tensor, clean: torch.Tensor) -> torch.Tensor:
    """The residual ``r = x - y`` (degraded minus clean), same shape as the inputs."""
    if degraded.shape != clean.shape:
        raise ValueError(
            f"degraded {tuple(degraded.shape)} and clean {tuple(clean.shape)} differ"
        )
    return degraded.float() - clean.float()


def fourier_magnitude(r: torch.Tensor, norm: str = "ortho") -> torch.Tensor:
    r"""``|F r|`` over the last two axes, same shape as ``r``.

    .. math:: |\hat r_{k}| = \Big|\sum_{n} r_n e^{-2\pi i \langle k, n / (H, W)
        \rangle}\Big| \cdot s, \quad s = 1/\sqrt{HW}\ (\text{ortho}),\ 1\
        (\text{backward})

    Parameters
    ----------
    r : Tensor, shape (..., H, W)
    norm : {"ortho", "backward", "forward"}
        ``"ortho"`` keeps Parseval (``||F r||_2 = ||r||_2``); ``"backward"`` is the
        unnormalised DFT of ``torch.fft.fft2`` used by the DA-RCOT code.

    >>> r = torch.randn(4, 8, 8)
    >>> bool(torch.allclose(fourier_magnitude(r).norm(), r.norm(), rtol=1e-5))
    True
    """
    if norm not in ("ortho", "backward", "forward"):
        raise ValueError(f"norm must be 'ortho', 'backward' or 'forward', got {norm!r}")
    return torch.fft.fft2(r.float(), norm=norm).abs()


def log_spectrum(
    r: torch.Tensor, norm: str = "ortho", eps: float = 1e-4
) -> torch.Tensor:
    """Centred log magnitude ``log(eps + |F r|)`` averaged over channels, (H, W).

    Parameters
    ----------
    r : Tensor, shape (C, H, W) or (H, W)
        One residual; a 3-D input is averaged over its first axis after the DFT.
    """
    mag = fourier_magnitude(r, norm)
    if mag.ndim == 3:
        mag = mag.mean(0)
    elif mag.ndim != 2:
        raise ValueError(f"expected (C, H, W) or (H, W), got {tuple(r.shape)}")
    return torch.log(eps + torch.fft.fftshift(mag))  # (H, W), zero frequency centred


def radial_power(r: torch.Tensor, bins: int = 32) -> torch.Tensor:
    """Mean power ``|F r|^2`` in rings of radial frequency 0 .. 0.5, shape (bins,).

    White noise gives a flat profile; smooth residuals (haze, low light, blur)
    fall off quickly. Input ``(..., H, W)``; leading axes are averaged.
    """
    power = fourier_magnitude(r).pow(2)
    power = power.reshape(-1, *power.shape[-2:]).mean(0).cpu()  # (H, W)
    h, w = power.shape
    fy = torch.fft.fftfreq(h).view(h, 1)
    fx = torch.fft.fftfreq(w).view(1, w)
    radius = torch.sqrt(fy**2 + fx**2).flatten()
    inside = radius <= 0.5  # the corners beyond the Nyquist circle are left out
    index = (radius[inside] / 0.5 * bins).long().clamp(max=bins - 1)
    total = torch.zeros(bins).index_add_(0, index, power.flatten()[inside])
    count = torch.zeros(bins).index_add_(0, index, torch.ones_like(total[index]))
    return total / count.clamp(min=1)


# --- sparsity scores of coefficient vectors (..., N) ----------------------------------


def hoyer(c: torch.Tensor) -> torch.Tensor:
    r"""Hoyer sparsity of the magnitudes along the last axis, in ``[0, 1]``.

    .. math:: H(c) = \frac{\sqrt N - \|c\|_1 / \|c\|_2}{\sqrt N - 1}

    A zero vector scores 0.

    >>> hoyer(torch.tensor([0.0, 0.0, 3.0, 0.0])).item()
    1.0
    >>> hoyer(torch.tensor([2.0, -2.0, 2.0, 2.0])).item()
    0.0
    """
    c = c.abs().double()
    n = c.shape[-1]
    l1, l2 = c.sum(-1), c.pow(2).sum(-1).sqrt()
    ratio = torch.where(l2 > 0, l1 / l2.clamp(min=1e-300), torch.full_like(l1, n**0.5))
    return ((math.sqrt(n) - ratio) / (math.sqrt(n) - 1)).float()


def gini(c: torch.Tensor) -> torch.Tensor:
    r"""Gini index of the magnitudes along the last axis (Hurley and Rickard 2009).

    .. math:: G(c) = 1 - 2 \sum_{k=1}^{N} \frac{c_{(k)}}{\|c\|_1}
        \frac{N - k + 1/2}{N}

    with ``c_(1) <= ... <= c_(N)`` the sorted magnitudes. ``k`` equal non-zeros
    out of ``N`` give ``1 - k/N``; a zero vector scores 0.

    >>> round(gini(torch.tensor([0.0, 0.0, 0.0, 5.0])).item(), 4)
    0.75
    """
    c = c.abs().double().sort(dim=-1).values
    n = c.shape[-1]
    k = torch.arange(1, n + 1, dtype=c.dtype, device=c.device)
    l1 = c.sum(-1, keepdim=True)
    share = c / l1.clamp(min=1e-300)
    g = 1 - 2 * (share * (n - k + 0.5) / n).sum(-1)
    return torch.where(l1[..., 0] > 0, g, torch.zeros_like(g)).float()


def top_energy(c: torch.Tensor, fraction: float = 0.01) -> torch.Tensor:
    """Share of the energy ``sum |c|^2`` held by the largest ``fraction`` of entries.

    ``ceil(fraction * N)`` entries are kept; white noise gives about ``fraction``
    (a little more), a single spike 1. A zero vector scores 0.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    e = c.abs().double().pow(2)
    m = max(1, math.ceil(fraction * e.shape[-1]))
    top = e.topk(m, dim=-1).values.sum(-1)
    total = e.sum(-1)
    return torch.where(total > 0, top / total.clamp(min=1e-300), 0 * total).float()


_SCORE_FNS = {
    "hoyer": hoyer,
    "gini": gini,
    "top1": lambda c: top_energy(c, 0.01),
    "top5": lambda c: top_energy(c, 0.05),
}


# --- scores of residual images --------------------------------------------------------


def _select(r: torch.Tensor, channel: int | str) -> torch.Tensor:
    """(B, C, H, W) -> (B, C', H, W) for a channel choice."""
    if isinstance(channel, int):
        if not 0 <= channel < r.shape[1]:
            raise ValueError(
                f"channel {channel} out of range for {r.shape[1]} channels"
            )
        return r[:, channel : channel + 1]
    if channel == "mean":
        return r
    if channel == "luma":
        return to_gray(r)  # a single channel is returned as it is
    raise ValueError(f"channel must be an index, 'mean' or 'luma', got {channel!r}")


def sparsity_scores(
    r: torch.Tensor, domain: str = "fourier", channel: int | str = "mean"
) -> dict[str, torch.Tensor]:
    """Hoyer, Gini and top-1 %/5 % energy of a residual, per image.

    Parameters
    ----------
    r : Tensor, shape (B, C, H, W) or (C, H, W)
        Residuals ``x - y`` (degraded minus clean).
    domain : {"fourier", "pixel"}
        Score ``|F r|`` (per channel, all ``H W`` frequencies, DC included) or
        ``|r|`` itself.
    channel : int, "mean" or "luma"
        One channel; the mean of the per-channel scores; or the luma residual.

    Returns
    -------
    dict
        ``{"hoyer", "gini", "top1", "top5"}`` to tensors of shape (B,), or to
        0-d tensors for a single ``(C, H, W)`` residual.
    """
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    if r.ndim not in (3, 4):
        raise ValueError(f"expected (C, H, W) or (B, C, H, W), got {tuple(r.shape)}")
    single = r.ndim == 3
    r4 = _select(r[None] if single else r, channel).float()  # (B, C', H, W)
    coeffs = fourier_magnitude(r4) if domain == "fourier" else r4.abs()
    v = coeffs.flatten(2)  # (B, C', N)
    out = {name: fn(v).mean(1) for name, fn in _SCORE_FNS.items()}  # (B,)
    return {k: val[0] if single else val for k, val in out.items()}


def residual_scores(
    degraded: torch.Tensor, clean: torch.Tensor, channel: int | str = "mean"
) -> dict[str, torch.Tensor]:
    """Scores of ``r = degraded - clean`` in both domains: keys ``fourier_hoyer``,
    ``fourier_gini``, ``fourier_top1``, ``fourier_top5``, ``pixel_hoyer``, ...

    >>> y = torch.zeros(3, 16, 16); x = y + 0.1  # a constant residual: only DC
    >>> round(residual_scores(x, y)["fourier_hoyer"].item(), 4)
    1.0
    """
    r = residual(degraded, clean)
    return {
        f"{domain}_{name}": value
        for domain in DOMAINS
        for name, value in sparsity_scores(r, domain, channel).items()
    }


def mean_scores(rows: list[dict[str, float]]) -> dict[str, float]:
    """The mean of every numeric key over a list of per-image score rows."""
    if not rows:
        raise ValueError("no score rows to average")
    keys = [k for k, v in rows[0].items() if isinstance(v, (int, float))]
    return {k: float(sum(row[k] for row in rows) / len(rows)) for k in keys}


def score_pairs(
    pairs, channel: int | str = "mean", progress: bool = True, desc: str = "sparsity"
) -> list[dict]:
    """Score every ``(degraded, clean, name)`` item of an iterable (a
    :class:`rcot_lib.eval_data.PairedFolder` or
    :class:`rcot_lib.eval_data.SyntheticPairs`).

    Returns
    -------
    list of dict
        One row per image: ``{"name": ..., "fourier_hoyer": ..., ...}`` (floats).
    """
    from tqdm.auto import tqdm

    rows = []
    total = len(pairs) if hasattr(pairs, "__len__") else None
    bar = tqdm(pairs, total=total, desc=desc, disable=not progress)
    for degraded, clean, name in bar:
        scores = residual_scores(degraded, clean, channel)
        rows.append({"name": name} | {k: float(v) for k, v in scores.items()})
    return rows


def format_table(
    groups: dict[str, dict[str, float]], keys: tuple[str, ...] | None = None,
    digits: int = 3,
) -> str:
    """A Markdown table: one row per group (degradation or data set), one column
    per score key (default: the Fourier scores, then pixel Hoyer and Gini)."""
    keys = keys or tuple(f"fourier_{s}" for s in SCORES) + ("pixel_hoyer", "pixel_gini")
    rows = [[name, *(f"{means[k]:.{digits}f}" for k in keys)]
            for name, means in groups.items()]
    return markdown_table(["", *keys], rows)
