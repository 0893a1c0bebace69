"""Reading image files: bit depths, orientation, transparency, colour models, and
files that are not images (each a clear ``ValueError`` naming the file)."""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from rcot_lib.images import load_image, output_format, save_image


def _encode(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width x height`` RGB pixels, with no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I"])
def test_16_bit_gray_is_scaled_by_its_range_not_clipped(tmp_path, mode):
    values = np.array([[0, 1000, 32768], [40000, 65280, 65535]], dtype=np.uint16)
    if mode == "I;16B":
        im = Image.fromarray(values.astype(">u2"))
    else:
        im = Image.fromarray(values if mode == "I;16" else values.astype(np.int32))
    assert im.mode == mode
    path = tmp_path / "x.tif"
    path.write_bytes(_encode(im, "TIFF"))
    expected = torch.from_numpy(values / 65535.0).float()
    gray = load_image(path, mode=None)
    assert gray.shape == (1, 2, 3)
    torch.testing.assert_close(gray[0], expected)
    rgb = load_image(path)  # the gray channel three times
    assert rgb.shape == (3, 2, 3) and torch.equal(rgb[0], rgb[2])
    torch.testing.assert_close(rgb[1], expected)
    # a 16-bit PNG too (Pillow opens it as I;16)
    png = tmp_path / "x.png"
    png.write_bytes(_encode(Image.fromarray(values)))
    torch.testing.assert_close(load_image(png, "L")[0], expected)


def test_exif_orientation_is_applied(tmp_path):
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3) * 40  # 2 rows, 3 columns
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "turned.png"
    path.write_bytes(_encode(Image.fromarray(arr), exif=exif.tobytes()))
    out = load_image(path, mode="L")
    assert out.shape == (1, 3, 2)
    expected = np.rot90(arr, k=-1).astype(np.float32) / 255  # clockwise
    torch.testing.assert_close(out[0], torch.from_numpy(expected.copy()))


def test_transparency_is_flattened_onto_white_with_a_warning(tmp_path):
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = [[255, 0], [51, 255]]  # opaque, clear, 20 %, opaque
    path = tmp_path / "a.png"
    path.write_bytes(_encode(Image.fromarray(rgba)))
    with pytest.warns(UserWarning, match="a.png: transparent pixels flattened onto "
                                         "white"):
        out = load_image(path)
    red = torch.tensor([[200 / 255, 1.0], [0.2 * 200 / 255 + 0.8, 200 / 255]])
    torch.testing.assert_close(out[0], red)
    torch.testing.assert_close(out[1], torch.tensor([[0.0, 1.0], [0.8, 0.0]]))
    # gray with alpha, and a palette with a transparent colour
    with pytest.warns(UserWarning, match="onto white"):
        assert load_image(path, mode=None).shape == (3, 2, 2)
    la = tmp_path / "la.png"
    la.write_bytes(_encode(Image.fromarray(rgba).convert("LA")))
    with pytest.warns(UserWarning, match="onto white"):
        assert load_image(la, mode=None).shape == (1, 2, 2)
    pal = Image.fromarray(rgba[..., :3]).convert("P")
    p = tmp_path / "p.png"
    p.write_bytes(_encode(pal, transparency=pal.getpixel((0, 0))))
    with pytest.warns(UserWarning, match="onto white"):
        assert float(load_image(p).min()) == 1.0  # every pixel was that colour
    # an alpha channel that is opaque everywhere changes nothing and says nothing
    rgba[..., 3] = 255
    path.write_bytes(_encode(Image.fromarray(rgba)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = load_image(path)
    assert torch.equal(out, load_image_rgb(rgba[..., :3]))


def load_image_rgb(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(arr.transpose(2, 0, 1).astype(np.float32) / 255)


def test_palette_and_cmyk_are_converted_to_rgb(tmp_path):
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (6, 7, 3), dtype=np.uint8))
    pal = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    (tmp_path / "p.png").write_bytes(_encode(pal))
    out = load_image(tmp_path / "p.png", mode=None)
    assert torch.equal(out, load_image_rgb(np.asarray(pal.convert("RGB"))))
    assert load_image(tmp_path / "p.png", "L").shape == (1, 6, 7)
    cmyk = Image.new("CMYK", (5, 4), (0, 255, 255, 0))  # pure red in print colours
    (tmp_path / "c.jpg").write_bytes(_encode(cmyk, "JPEG", quality=95))
    out = load_image(tmp_path / "c.jpg", mode=None)
    assert out.shape == (3, 4, 5)
    torch.testing.assert_close(out.mean((1, 2)), torch.tensor([1.0, 0.0, 0.0]),
                               atol=0.03, rtol=0)


@pytest.mark.parametrize(
    "content, problem",
    [(b"", "empty"),
     (b"hello, world\n", "not an image file"),
     (png_declaring(100_000, 100_000), "too large"),
     (png_declaring(12_000, 9_000), "too large"),  # above the limit, below twice it
     (png_declaring(0, 5), "not an image file")],
    ids=["empty", "text", "bomb", "above-limit", "no-pixels"],
)
def test_files_that_are_not_images_are_clear_errors(tmp_path, content, problem):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"bad.png.*{problem}"):
        load_image(path)


def test_truncated_files_name_the_problem(tmp_path):
    rgb = Image.fromarray(np.random.default_rng(1).integers(0, 256, (32, 32, 3),
                                                            dtype=np.uint8))
    for fmt, suffix in (("PNG", "png"), ("JPEG", "jpg")):
        data = _encode(rgb, fmt)
        path = tmp_path / f"cut.{suffix}"
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(ValueError, match=f"cut.{suffix}: image file is truncated"):
            load_image(path)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load_image(tmp_path)
    with pytest.raises(FileNotFoundError, match="image not found"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="mode must be"):
        load_image(path, mode="CMYK")


def test_output_format_is_checked_before_writing(tmp_path):
    assert output_format(tmp_path / "x.PNG") == "PNG"
    with pytest.raises(ValueError, match="no file suffix"):
        output_format(tmp_path / "x")
    with pytest.raises(ValueError, match="cannot write images as '.xyz'"):
        save_image(torch.zeros(3, 2, 2), tmp_path / "x.xyz")
    assert list(tmp_path.iterdir()) == []
