"""Reading, writing, listing, resizing and cropping images.

Images are ``torch.float32`` tensors in ``[0, 1]`` shaped ``(C, H, W)`` (``C`` = 3
for RGB, 1 for grayscale); batches are ``(B, C, H, W)``. Writing is atomic: a
temporary file is renamed over the target, so a failed write never leaves a
partial image behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
#: ITU-R BT.601 luma weights (what Pillow's ``convert("L")`` uses).
LUMA = (0.299, 0.587, 0.114)


def to_gray(image: torch.Tensor) -> torch.Tensor:
    """BT.601 luma of RGB image(s): ``(..., 3, H, W) -> (..., 1, H, W)``.

    Grayscale input (one channel) is returned as it is.

    Examples
    --------
    >>> to_gray(torch.ones(3, 2, 2)).squeeze().tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    if image.shape[-3] == 1:
        return image
    if image.shape[-3] != 3:
        raise ValueError(f"expected 1 or 3 channels, got shape {tuple(image.shape)}")
    w = torch.tensor(LUMA, dtype=image.dtype, device=image.device).view(3, 1, 1)
    return (image * w).sum(-3, keepdim=True)


def load_image(path: str | os.PathLike, mode: str | None = "RGB") -> torch.Tensor:
    """Read an image file as a ``(C, H, W)`` float tensor in ``[0, 1]``.

    Parameters
    ----------
    path : str or Path
        An image file readable by Pillow.
    mode : {"RGB", "L", None}
        Convert to RGB (3 channels) or grayscale ``"L"`` (1 channel); ``None``
        keeps RGB or grayscale as stored (other modes become RGB).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is not a readable image.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image not found: {path}")
    try:
        with Image.open(path) as im:
            im.load()
            if mode is None:
                mode = "L" if im.mode in ("L", "I;16", "I", "1") else "RGB"
            if mode not in ("RGB", "L"):
                raise ValueError(f"mode must be 'RGB', 'L' or None, got {mode!r}")
            arr = np.asarray(im.convert(mode), dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"cannot read image {path}: {exc}") from exc
    if arr.ndim == 2:
        arr = arr[None]  # (1, H, W)
    else:
        arr = arr.transpose(2, 0, 1)  # (H, W, C) -> (C, H, W)
    return torch.from_numpy(np.ascontiguousarray(arr))


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """``(C, H, W)`` in ``[0, 1]`` to an ``(H, W, C)`` (or ``(H, W)``) uint8 array."""
    if image.ndim != 3 or image.shape[0] not in (1, 3):
        raise ValueError(
            "expected an image shaped (C, H, W) with C in (1, 3), "
            f"got {tuple(image.shape)}"
        )
    arr = image.detach().float().clamp(0, 1).mul(255).round()
    arr = arr.to(torch.uint8).cpu().numpy()
    arr = arr.transpose(1, 2, 0)
    return arr[..., 0] if arr.shape[2] == 1 else arr


def save_image(image: torch.Tensor, path: str | os.PathLike) -> Path:
    """Write a ``(C, H, W)`` image in ``[0, 1]`` atomically (temporary file, rename)."""
    from PIL import Image

    from rcot_lib.files import atomic_write

    path = Path(path)
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unknown image format for {path.name}; use .png or .jpg")
    pixels = Image.fromarray(to_uint8(image))
    return atomic_write(path, lambda tmp: pixels.save(tmp, format=fmt))


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Image files directly in ``folder``, sorted by name.

    Raises
    ------
    FileNotFoundError
        The folder does not exist or holds no image.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
    return files


def sample_images() -> list[Path]:
    """The redistributable photographs shipped in ``data_samples/images``."""
    from rcot_lib.config import SAMPLES_DIR

    return list_images(SAMPLES_DIR / "images")


def resize_max_side(image: torch.Tensor, max_side: int | None) -> torch.Tensor:
    """Downscale ``(C, H, W)`` or ``(B, C, H, W)`` so that its longer side is at most
    ``max_side`` (antialiased bilinear); smaller images and ``None`` pass through."""
    if max_side is None or max(image.shape[-2:]) <= max_side:
        return image
    h, w = image.shape[-2:]
    scale = max_side / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    batch = image if image.ndim == 4 else image[None]  # (B, C, H, W)
    out = torch.nn.functional.interpolate(
        batch, size=size, mode="bilinear", antialias=True, align_corners=False
    )
    out = out.clamp(0, 1)
    return out if image.ndim == 4 else out[0]


def center_crop(image: torch.Tensor, size: int | None) -> torch.Tensor:
    """The central ``size x size`` window of ``(..., H, W)`` (clipped to the image);
    ``None`` passes through. Unlike resizing, cropping keeps the pixel scale, so
    degradation statistics (streak widths, noise) stay those of the full image."""
    if size is None:
        return image
    h, w = image.shape[-2:]
    th, tw = min(size, h), min(size, w)
    top, left = (h - th) // 2, (w - tw) // 2
    return image[..., top : top + th, left : left + tw]
