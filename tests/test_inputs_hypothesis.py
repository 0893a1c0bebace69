"""Property tests: whatever bytes an image file holds, reading it gives a correct
image or a clear ``ValueError`` naming the file, never another exception, never a
hang, and never a partial output file.

The ``rcot-inputs`` profile keeps the whole file to seconds; set
``RCOT_HYPOTHESIS=rcot-inputs-thorough`` for a longer search.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from rcot_lib.images import load_image
from rcot_lib.restore import restore_file

# The deadline catches a hang (e.g. a decompression bomb decoded in full), not a slow
# example: on a machine busy with a training run, a first example that imports
# Pillow's plugins takes several seconds.
settings.register_profile(
    "rcot-inputs", max_examples=15, deadline=timedelta(seconds=30), database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "rcot-inputs-thorough", settings.get_profile("rcot-inputs"), max_examples=500
)
PROFILE = settings.get_profile(os.environ.get("RCOT_HYPOTHESIS", "rcot-inputs"))

#: Pillow modes to write, the format that stores them, and the channels read back.
MODES = {"RGB": ("PNG", 3), "L": ("PNG", 1), "RGBA": ("PNG", 3), "LA": ("PNG", 1),
         "P": ("PNG", 3), "I;16": ("PNG", 1), "1": ("PNG", 1),
         "CMYK": ("JPEG", 3), "YCbCr": ("JPEG", 3), "JPEG-L": ("JPEG", 1)}


def _encode(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt)
    return buf.getvalue()


@st.composite
def images(draw) -> tuple[str, Image.Image, bytes]:
    """A small random image in one of :data:`MODES` (1x1 included), encoded."""
    mode = draw(st.sampled_from(sorted(MODES)))
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if mode == "I;16":
        im = Image.fromarray(rng.integers(0, 65536, (h, w), dtype=np.uint16))
    else:
        base = {"JPEG-L": "L", "P": "RGB", "1": "L", "YCbCr": "RGB"}.get(mode, mode)
        arr = rng.integers(0, 256, (h, w, Image.getmodebands(base)), dtype=np.uint8)
        im = Image.frombytes(base, (w, h), arr.tobytes())
        if mode == "P":
            im = im.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
        elif mode in ("1", "YCbCr"):
            im = im.convert(mode)
    return mode, im, _encode(im, MODES[mode][0])


#: How image files begin (PNG, JPEG, GIF, BMP, TIFF, WebP): random bytes after one
#: of them reach the decoders, not only the format detection.
MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"II*\x00",
         b"MM\x00*", b"RIFF\x00\x01\x00\x00WEBPVP8 ")


@st.composite
def corrupted(draw) -> bytes:
    """An encoded image with some of its bytes overwritten."""
    data = bytearray(draw(images())[2])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def junk() -> st.SearchStrategy[bytes]:
    """Random bytes, random bytes after an image signature, corrupted images."""
    after_magic = st.tuples(st.sampled_from(MAGIC), st.binary(max_size=600))
    return st.one_of(st.binary(max_size=3000), after_magic.map(b"".join), corrupted())


def _check(image: torch.Tensor, channels: int | None = None) -> None:
    assert image.dtype == torch.float32 and image.ndim == 3
    assert image.shape[0] in (1, 3) and image.shape[1] >= 1 and image.shape[2] >= 1
    assert channels is None or image.shape[0] == channels
    assert torch.isfinite(image).all() and 0 <= image.min() and image.max() <= 1


def _read(path: Path, mode: str | None = None) -> torch.Tensor | None:
    """``load_image``, or ``None`` after a one-line ``ValueError`` naming the file."""
    try:
        with warnings.catch_warnings():  # "transparent pixels flattened" is expected
            warnings.simplefilter("ignore", UserWarning)
            return load_image(path, mode)
    except ValueError as exc:
        assert path.name in str(exc) and "\n" not in str(exc)
        return None


@PROFILE
@given(data=junk())
@example(data=b"")
@example(data=b"\x89PNG\r\n\x1a\n")
@example(data=b"\xff\xd8\xff\xe0")
def test_random_bytes_give_an_image_or_a_clear_error(tmp_path, data):
    for suffix in (".png", ".jpg"):
        path = tmp_path / f"random{suffix}"
        path.write_bytes(data)
        out = _read(path, "RGB")
        if out is not None:
            _check(out, 3)


@PROFILE
@given(image=images(), mode=st.sampled_from(["RGB", "L", None]))
def test_whole_images_read_back_as_written(tmp_path, image, mode):
    kind, im, data = image
    path = tmp_path / "x.img"
    path.write_bytes(data)
    out = _read(path, mode)
    assert out is not None, f"{kind} {im.size} did not read back"
    stored = MODES[kind][1]
    _check(out, {"RGB": 3, "L": 1, None: stored}[mode])
    assert tuple(out.shape[1:]) == (im.height, im.width)
    if kind == "I;16":  # 16-bit values keep their 16 bits
        expected = torch.from_numpy(np.asarray(im, dtype=np.float32) / 65535)
        torch.testing.assert_close(out[0], expected)
    elif kind in ("RGB", "L", "P", "RGBA") and mode != "L":
        rgba = np.asarray(im.convert("RGBA"), np.float32) / 255
        alpha = rgba[..., 3:]
        rgb = rgba[..., :3] * alpha + (1 - alpha)  # flattened onto white
        expected = torch.from_numpy(rgb).permute(2, 0, 1)
        torch.testing.assert_close(out, expected[:1] if out.shape[0] == 1 else expected)


@PROFILE
@given(image=images(), cut=st.floats(0, 1, exclude_max=True))
def test_truncated_files_give_the_image_or_a_clear_error(tmp_path, image, cut):
    kind, im, data = image
    path = tmp_path / "cut.img"
    path.write_bytes(data[: int(cut * len(data))])
    out = _read(path, None)
    if out is None:
        return
    _check(out, MODES[kind][1])
    if MODES[kind][0] == "PNG":  # a PNG cut in its last chunk still holds every pixel
        full = tmp_path / "full.img"
        full.write_bytes(data)
        torch.testing.assert_close(out, _read(full, None))


def _png_header(width: int, height: int, depth: int, color: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@PROFILE
@given(width=st.integers(10_000, 2**31 - 1), height=st.integers(10_000, 2**31 - 1),
       kind=st.sampled_from([(8, 2), (8, 0), (16, 0), (8, 6)]))
@example(width=100_000, height=100_000, kind=(8, 2))
def test_huge_declared_sizes_are_refused_without_decoding(tmp_path, width, height,
                                                          kind):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header(width, height, *kind))
    with pytest.raises(ValueError, match="huge.png: (too large|not an image file)"):
        load_image(path)


@PROFILE
@given(data=st.one_of(junk(),
                      images().map(lambda image: image[2][: len(image[2]) // 2])))
def test_a_failed_restore_leaves_the_previous_output_whole(tmp_path, data):
    dst = tmp_path / "out" / "x.png"
    restore_file(torch.nn.Identity(), _good_png(tmp_path), dst)
    before = dst.read_bytes()
    bad = tmp_path / "bad.png"
    bad.write_bytes(data)
    try:
        with warnings.catch_warnings():  # Pillow's and ours, on odd files
            warnings.simplefilter("ignore", UserWarning)
            restore_file(torch.nn.Identity(), bad, dst)
    except ValueError as exc:
        assert "bad.png" in str(exc)
        assert dst.read_bytes() == before
    else:
        _check(load_image(dst, None))
    assert [p.name for p in dst.parent.iterdir()] == ["x.png"]  # no temporary file


def _good_png(folder: Path) -> Path:
    path = folder / "good.png"
    if not path.exists():
        rgb = np.random.default_rng(0).integers(0, 256, (12, 16, 3), dtype=np.uint8)
        path.write_bytes(_encode(Image.fromarray(rgb), "PNG"))
    return path


def test_cli_restores_a_folder_past_a_corrupt_image(tmp_path, capsys):
    from rcot_lib.checkpoint import save_checkpoint
    from rcot_lib.cli import main
    from rcot_lib.models import build_map
    from rcot_lib.presets import get_preset

    cfg = get_preset("tiny")
    ckpt = save_checkpoint({"config": cfg.to_dict(), "model": cfg.model.to_dict(),
                            "map": build_map(cfg.model).state_dict(), "step": 0},
                           tmp_path / "w.pt")
    folder = tmp_path / "in"
    folder.mkdir()
    good = _good_png(tmp_path).read_bytes()
    (folder / "a.png").write_bytes(good)
    (folder / "b.png").write_bytes(good[:40])  # cut inside the header
    out = tmp_path / "out"
    assert main(["restore", str(folder), str(out), "--checkpoint", str(ckpt)]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.png"]
    _check(load_image(out / "a.png", None), 3)
    err = capsys.readouterr().err
    assert "1 of 2 images failed" in err
    assert "b.png: cannot read image" in err.splitlines()[-1]
