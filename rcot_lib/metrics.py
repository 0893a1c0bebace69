"""PSNR and SSIM as the restoration literature reports them.

Both metrics quantise images to 8 bits first (``round(255 x)``) and compare on the
0-255 scale, over RGB by default or over the ITU-R BT.601 luma ``Y`` (as BasicSR's
``test_y_channel``; published deraining numbers use it), after cropping
``crop_border`` pixels from each side. SSIM is the Gaussian-window SSIM of Wang et
al. (11x11 window, sigma 1.5, ``K1 = 0.01``, ``K2 = 0.03``) averaged over channels
and over the valid part of the image, which matches ``skimage.metrics``'s
``structural_similarity(..., gaussian_weights=True, use_sample_covariance=False,
data_range=255)``.

References
----------
.. [1] Z. Wang et al., "Image Quality Assessment: From Error Visibility to
   Structural Similarity", IEEE TIP 13(4), 2004.
"""

from __future__ import annotations

import math

import torch

#: BT.601 luma of RGB in [0, 1], scaled to [16, 235] (BasicSR's ``rgb2ycbcr``).
_Y_WEIGHTS = (65.481, 128.553, 24.966)


def _as_batch(image: torch.Tensor, name: str) -> torch.Tensor:
    if not isinstance(image, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(image).__name__}")
    if image.ndim == 3:
        image = image[None]
    if image.ndim != 4 or image.shape[1] not in (1, 3):
        raise ValueError(
            f"{name} must be shaped (C, H, W) or (B, C, H, W) with C in (1, 3), "
            f"got {tuple(image.shape)}"
        )
    return image


def prepare(
    image: torch.Tensor, y_channel: bool = False, crop_border: int = 0
) -> torch.Tensor:
    """Quantise to 8 bits, optionally take luma ``Y``, crop; float64 on 0-255.

    Parameters
    ----------
    image : torch.Tensor, shape (C, H, W) or (B, C, H, W)
        Values in ``[0, 1]`` (clipped).
    y_channel : bool
        Keep only BT.601 luma (``16 + 65.481 R + 128.553 G + 24.966 B``); grayscale
        images are used as they are.
    crop_border : int
        Pixels removed from each side.

    Returns
    -------
    torch.Tensor, shape (B, C', H', W'), float64 in [0, 255]
    """
    x = _as_batch(image, "image").detach().cpu().to(torch.float64)
    x = x.clamp(0, 1).mul(255).round()  # (B, C, H, W) 8-bit levels
    if y_channel and x.shape[1] == 3:
        w = torch.tensor(_Y_WEIGHTS, dtype=torch.float64).view(1, 3, 1, 1)
        x = (x / 255 * w).sum(1, keepdim=True) + 16.0  # (B, 1, H, W)
    if crop_border:
        c = int(crop_border)
        x = x[..., c:-c, c:-c]
    return x


def _check_pair(a: torch.Tensor, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"images differ in shape: {tuple(a.shape)} vs {tuple(b.shape)}"
        )


def psnr(
    restored: torch.Tensor,
    target: torch.Tensor,
    y_channel: bool = False,
    crop_border: int = 0,
) -> float | torch.Tensor:
    r"""Peak signal-to-noise ratio in dB on 8-bit-quantised images.

    .. math:: \mathrm{PSNR} = 10 \log_{10} \frac{255^2}{\mathrm{MSE}}

    Parameters
    ----------
    restored, target : torch.Tensor, shape (C, H, W) or (B, C, H, W)
        Images in ``[0, 1]``, any size.
    y_channel : bool
        Compare BT.601 luma only (deraining convention).
    crop_border : int
        Pixels removed from each side before comparing.

    Returns
    -------
    float for one image, or torch.Tensor of shape (B,) for a batch
        ``inf`` for identical images.

    Examples
    --------
    >>> a = torch.zeros(3, 4, 4); b = torch.full((3, 4, 4), 0.1)
    >>> round(psnr(a, b), 2)
    19.83
    """
    _check_pair(restored, target)
    a = prepare(restored, y_channel, crop_border)
    b = prepare(target, y_channel, crop_border)
    mse = (a - b).pow(2).flatten(1).mean(1)  # (B,)
    out = 10 * torch.log10(255.0**2 / mse)  # inf when mse == 0
    return float(out[0]) if restored.ndim == 3 else out


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    g = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-(g**2) / (2 * sigma**2))
    return g / g.sum()  # (size,)


def _filter(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Separable 'valid' Gaussian filtering of ``(N, 1, H, W)`` float64 images."""
    from scipy.ndimage import correlate1d

    r = (len(g) - 1) // 2
    w = g.numpy()
    arr = correlate1d(x.numpy(), w, axis=-1, mode="constant")
    arr = correlate1d(arr, w, axis=-2, mode="constant")
    return torch.from_numpy(arr[..., r:-r, r:-r])


def ssim(
    restored: torch.Tensor,
    target: torch.Tensor,
    y_channel: bool = False,
    crop_border: int = 0,
) -> float | torch.Tensor:
    r"""Structural similarity (Gaussian window) on 8-bit-quantised images.

    .. math::
        \mathrm{SSIM} = \frac{(2\mu_a\mu_b + C_1)(2\sigma_{ab} + C_2)}
        {(\mu_a^2 + \mu_b^2 + C_1)(\sigma_a^2 + \sigma_b^2 + C_2)},
        \; C_1 = (0.01 \cdot 255)^2,\; C_2 = (0.03 \cdot 255)^2

    averaged over the valid window positions and the channels.

    Parameters
    ----------
    restored, target : torch.Tensor, shape (C, H, W) or (B, C, H, W)
        Images in ``[0, 1]``; each side at least 11 pixels after cropping.
    y_channel, crop_border
        As in :func:`psnr`.

    Returns
    -------
    float for one image, or torch.Tensor of shape (B,) for a batch

    Examples
    --------
    >>> a = torch.rand(3, 16, 16)
    >>> ssim(a, a)
    1.0
    """
    _check_pair(restored, target)
    a = prepare(restored, y_channel, crop_border)
    b = prepare(target, y_channel, crop_border)
    B, C, H, W = a.shape
    if min(H, W) < 11:
        raise ValueError(f"SSIM needs images of at least 11x11 pixels, got {H}x{W}")
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = _gaussian_window()
    a, b = a.reshape(B * C, 1, H, W), b.reshape(B * C, 1, H, W)
    mu_a, mu_b = _filter(a, g), _filter(b, g)
    var_a = _filter(a * a, g) - mu_a**2
    var_b = _filter(b * b, g) - mu_b**2
    cov = _filter(a * b, g) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    out = (num / den).reshape(B, -1).mean(1)  # (B,)
    return float(out[0]) if restored.ndim == 3 else out


def mean_finite(values: list[float]) -> float:
    """Mean of a list of metric values, ignoring ``inf`` (identical images)."""
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else float("nan")
