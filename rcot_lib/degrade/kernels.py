"""Blur kernels and their per-image convolution (deblurring, and rain streaks).

Kernels are batches ``(B, k, k)`` that sum to one: straight motion lines of a
given length and angle, smooth camera-shake trajectories, and isotropic Gaussians.
:func:`convolve` applies one kernel per image of a batch in a single grouped
convolution. :mod:`rcot_lib.degrade.camera` builds blur on them and
:mod:`rcot_lib.degrade.weather` rain.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _grid(size: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    r = torch.arange(size, dtype=torch.float32) - size // 2
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    return xx.expand(n, size, size), yy.expand(n, size, size)  # (n, k, k) each


def _odd(length: float) -> int:
    return 2 * int(math.ceil(length / 2)) + 1


def line_kernels(
    length: torch.Tensor, angle: torch.Tensor, taper: bool = False
) -> torch.Tensor:
    """Anti-aliased line kernels, one per entry, shape (n, k, k), summing to 1.

    ``angle`` is in degrees from the vertical (0 = vertical line, as rain falls);
    ``taper`` fades the two ends (a falling drop's motion trace).
    """
    n, size = length.numel(), _odd(float(length.max()) + 2)
    xx, yy = _grid(size, n)
    theta = torch.deg2rad(angle).view(n, 1, 1)
    half = length.view(n, 1, 1) / 2
    along = xx * torch.sin(theta) + yy * torch.cos(theta)
    perp = xx * torch.cos(theta) - yy * torch.sin(theta)
    k = (1 - perp.abs()).clamp(min=0) * (half + 0.5 - along.abs()).clamp(0, 1)
    if taper:
        k = k * (1 - (along / (half + 1)) ** 2).clamp(min=0)
    return k / k.sum(dim=(1, 2), keepdim=True)


def gaussian_kernels(sigma: torch.Tensor) -> torch.Tensor:
    """Isotropic Gaussian kernels ``exp(-|u|^2 / 2 s^2)``, shape (n, k, k), sum 1."""
    n, size = sigma.numel(), _odd(6 * float(sigma.max()))
    xx, yy = _grid(size, n)
    s = sigma.view(n, 1, 1).clamp(min=1e-3)
    k = torch.exp(-(xx**2 + yy**2) / (2 * s**2))
    return k / k.sum(dim=(1, 2), keepdim=True)


def trajectory_kernels(
    length: torch.Tensor, g: torch.Generator, steps: int = 64, inertia: float = 0.7
) -> torch.Tensor:
    """Random camera-shake kernels: a 2-D random walk with momentum, shape (n, k, k).

    The path is rescaled so that its largest extent is ``length`` pixels, then
    splatted bilinearly on the grid (a simplified Boracchi-Foi trajectory).
    """
    n = length.numel()
    v = torch.randn(n, 2, generator=g)
    pos = torch.zeros(n, 2)
    path = []
    for _ in range(steps):
        v = inertia * v + (1 - inertia) * torch.randn(n, 2, generator=g)
        pos = pos + v
        path.append(pos)
    p = torch.stack(path, 1)  # (n, steps, 2)
    p = p - p.mean(1, keepdim=True)
    extent = (p.amax(1) - p.amin(1)).amax(1).clamp(min=1e-6)  # (n,)
    p = p * (length / extent).view(n, 1, 1)
    size = _odd(float(length.max()) + 2)
    xx, yy = _grid(size, n)
    wx = (1 - (xx[:, None] - p[..., 0, None, None]).abs()).clamp(min=0)
    wy = (1 - (yy[:, None] - p[..., 1, None, None]).abs()).clamp(min=0)
    k = (wx * wy).sum(1)  # (n, k, k)
    return k / k.sum(dim=(1, 2), keepdim=True)


def convolve(images: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Convolve each image of a batch with its own kernel (FFT, replicate borders).

    .. math:: y_b = x_b * k_b

    Parameters
    ----------
    images : Tensor, shape (B, C, H, W)
    kernels : Tensor, shape (B, k, k) with odd ``k`` (or (k, k) for all)
    """
    b, c, h, w = images.shape
    kern = kernels.to(images.device, images.dtype)
    kern = kern.expand(b, *kern.shape[-2:]) if kern.ndim == 2 else kern  # (B, k, k)
    r = kern.shape[-1] // 2
    mode = "reflect" if r < min(h, w) else "replicate"
    padded = F.pad(images, (r, r, r, r), mode=mode)  # (B, C, H+2r, W+2r)
    size = padded.shape[-2:]
    kpad = torch.zeros(b, *size, dtype=kern.dtype, device=kern.device)
    kpad[:, : 2 * r + 1, : 2 * r + 1] = kern
    kpad = torch.roll(kpad, shifts=(-r, -r), dims=(1, 2))  # kernel centre at (0, 0)
    spec = torch.fft.rfft2(padded) * torch.fft.rfft2(kpad)[:, None]
    out = torch.fft.irfft2(spec, s=size)
    return out[..., r : r + h, r : r + w]
