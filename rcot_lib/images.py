"""Reading, writing, listing, resizing and cropping images.

Images are ``torch.float32`` tensors in ``[0, 1]`` shaped ``(C, H, W)`` (``C`` = 3
for RGB, 1 for grayscale); batches are ``(B, C, H, W)``. Writing is atomic: a
temporary file is renamed over the target, so a failed write never leaves a
partial image behind.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
#: ITU-R BT.601 luma weights (what Pillow's ``convert("L")`` uses).
LUMA = (0.299, 0.587, 0.114)
#: Pillow modes of 16-bit (and 32-bit integer) grayscale, scaled by 65535.
WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")
#: Pillow modes read as one channel by ``load_image(path, mode=None)``.
GRAY_MODES = ("1", "L", "LA", "La", "F", *WIDE_MODES)
#: Pillow modes with an alpha channel (flattened onto white when read).
ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")


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

    The EXIF orientation is applied. 16-bit (and 32-bit integer) grayscale is
    scaled by 65535, not clipped to 8 bits; float images are clipped to
    ``[0, 1]``. Transparent pixels (alpha, or a palette's transparent colour) are
    composited over white, with a warning. CMYK, YCbCr and palette images are
    converted to RGB.

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
    IsADirectoryError
        ``path`` is a folder.
    ValueError
        The file is empty, truncated, corrupt, not an image, or declares more
        pixels than ``PIL.Image.MAX_IMAGE_PIXELS`` (a decompression bomb); the
        message names the file and the problem.
    """
    if mode not in ("RGB", "L", None):
        raise ValueError(f"mode must be 'RGB', 'L' or None, got {mode!r}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not an image file")
    if not path.is_file():
        raise FileNotFoundError(f"image not found: {path}")
    if path.stat().st_size == 0:
        raise ValueError(f"cannot read image {path}: the file is empty (0 bytes)")
    try:
        arr = _read_pixels(path, mode)
    except (PermissionError, FileNotFoundError, IsADirectoryError):
        raise
    except MemoryError as exc:
        raise ValueError(f"cannot read image {path}: out of memory") from exc
    except Exception as exc:  # Pillow's decoders raise many kinds of errors
        raise ValueError(f"cannot read image {path}: {_describe(exc)}") from exc
    if arr.ndim == 2:
        arr = arr[None]  # (1, H, W)
    else:
        arr = arr.transpose(2, 0, 1)  # (H, W, C) -> (C, H, W)
    return torch.from_numpy(np.ascontiguousarray(arr))


class _Unusable(Exception):
    """An image file that opens but holds nothing to read."""


def _describe(exc: BaseException) -> str:
    """A short description of a decoding error (Pillow's own words where clear)."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(exc, _Unusable):
        return str(exc)
    if isinstance(exc, UnidentifiedImageError):
        return "not an image file in a format Pillow reads (corrupt or unsupported)"
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return f"too large to decode safely ({exc})"
    text = " ".join(str(exc).split()) or "no details"
    if "truncated" in text.lower() and "image file is truncated" not in text:
        return f"image file is truncated ({text})"
    if isinstance(exc, OSError):
        return text  # "image file is truncated ...", "broken data stream ..."
    return f"corrupt image data ({type(exc).__name__}: {text})"


def _read_pixels(path: Path, mode: str | None) -> np.ndarray:
    """``(H, W)`` or ``(H, W, 3)`` float32 pixels in ``[0, 1]`` of an image file."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():  # a warning here becomes an error
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = Image.open(path)
    with im:
        if min(im.size) < 1:
            raise _Unusable(f"the image has no pixels (size {im.size})")
        im.load()
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:  # an unreadable EXIF block does not spoil the pixels
            warnings.warn(f"{path.name}: unreadable EXIF orientation ignored",
                          stacklevel=3)
        if mode is None:
            mode = "L" if im.mode in GRAY_MODES else "RGB"
        if im.mode in WIDE_MODES or im.mode == "F":
            scale = 1.0 if im.mode == "F" else 65535.0
            gray = np.asarray(im, dtype=np.float32) / scale
            gray = np.clip(np.nan_to_num(gray, nan=0.0, posinf=1.0, neginf=0.0), 0, 1)
            return np.repeat(gray[..., None], 3, axis=2) if mode == "RGB" else gray
        if im.mode in ALPHA_MODES or "transparency" in im.info:
            rgba = im.convert("RGBA")
            alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
            if alpha.min() < 1:
                warnings.warn(f"{path.name}: transparent pixels flattened onto white",
                              stacklevel=3)
                rgb = np.asarray(rgba.convert("RGB"), dtype=np.float32) / 255.0
                rgb = rgb * alpha[..., None] + (1.0 - alpha[..., None])
                return rgb if mode == "RGB" else rgb @ np.asarray(LUMA, np.float32)
            im = rgba.convert("RGB")
        if mode == "L" and im.mode not in ("1", "L", "RGB"):
            im = im.convert("RGB")  # CMYK, YCbCr, P ...: through RGB
        return np.asarray(im.convert(mode), dtype=np.float32) / 255.0


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


def output_format(path: str | os.PathLike) -> str:
    """Pillow's format name for writing ``path``, from its suffix.

    Call it before any work, so that an output that cannot be written is
    reported first.

    Examples
    --------
    >>> output_format("out/x.PNG"), output_format("y.jpg")
    ('PNG', 'JPEG')

    Raises
    ------
    ValueError
        The name has no suffix, or Pillow cannot write that format.
    """
    from PIL import Image

    path = Path(path)
    if not path.suffix:
        raise ValueError(f"{path}: no file suffix; name the output like {path}.png")
    Image.init()
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None or fmt not in Image.SAVE:
        raise ValueError(
            f"{path}: cannot write images as {path.suffix!r}; use .png or .jpg"
        )
    return fmt


def save_image(image: torch.Tensor, path: str | os.PathLike) -> Path:
    """Write a ``(C, H, W)`` image in ``[0, 1]`` atomically (temporary file, rename).

    Raises
    ------
    ValueError
        Not an image shaped ``(C, H, W)`` with ``C`` 1 or 3, or an output suffix
        that :func:`output_format` rejects; ``path`` is then left as it was.
    """
    from PIL import Image

    from rcot_lib.files import atomic_write

    path = Path(path)
    fmt = output_format(path)
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
    from rcot_lib.environment import require_samples

    return list_images(require_samples("images"))


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
