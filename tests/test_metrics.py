import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from rcot_lib.metrics import prepare, psnr, ssim


def _u8(t):  # (C, H, W) in [0, 1] -> (H, W, C) uint8 as the metrics quantise
    return t.clamp(0, 1).mul(255).round().to(torch.uint8).permute(1, 2, 0).numpy()


@pytest.fixture
def pair():
    g = torch.Generator().manual_seed(0)
    clean = torch.rand(3, 37, 53, generator=g)  # odd sizes on purpose
    noisy = (clean + 0.1 * torch.randn(3, 37, 53, generator=g)).clamp(0, 1)
    return noisy, clean


def test_psnr_matches_skimage(pair):
    a, b = pair
    want = peak_signal_noise_ratio(_u8(b), _u8(a), data_range=255)
    assert psnr(a, b) == pytest.approx(want, abs=1e-8)
    batch = psnr(torch.stack([a, b]), torch.stack([b, b]))
    assert batch.shape == (2,) and batch[0] == pytest.approx(want)
    assert batch[1] == np.inf


def test_ssim_matches_skimage(pair):
    a, b = pair
    want = structural_similarity(
        _u8(a), _u8(b), channel_axis=2, gaussian_weights=True, sigma=1.5,
        use_sample_covariance=False, data_range=255,
    )
    assert ssim(a, b) == pytest.approx(want, abs=1e-6)
    assert ssim(b, b) == pytest.approx(1.0)


def test_y_channel_and_crop_border_match_skimage(pair):
    a, b = pair

    def luma(u8):
        x = u8.astype(np.float64) / 255
        return 16 + x @ np.array([65.481, 128.553, 24.966])

    ya, yb = luma(_u8(a))[3:-3, 3:-3], luma(_u8(b))[3:-3, 3:-3]
    want = peak_signal_noise_ratio(yb, ya, data_range=255)
    assert psnr(a, b, y_channel=True, crop_border=3) == pytest.approx(want, abs=1e-8)
    want_ssim = structural_similarity(
        ya, yb, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        data_range=255,
    )
    got = ssim(a, b, y_channel=True, crop_border=3)
    assert got == pytest.approx(want_ssim, abs=1e-6)


def test_y_is_higher_by_the_luma_range_for_an_error_shared_by_the_channels():
    # Y = 16 + 65.481 R + 128.553 G + 24.966 B spans 219 of 255 levels, so an error
    # equal in R, G and B shrinks by 219/255 in Y: PSNR_Y - PSNR_RGB = 20 log10(255/219)
    # = 1.32 dB, close to the RGB/Y gaps observed on Rain100L (docs/results.md).
    g = torch.Generator().manual_seed(2)
    clean = torch.randint(40, 200, (1, 1, 16, 16), generator=g).expand(1, 3, 16, 16)
    shift = torch.randint(-20, 21, (1, 1, 16, 16), generator=g).expand(1, 3, 16, 16)
    clean, noisy = clean / 255, (clean + shift) / 255
    gap = psnr(noisy, clean, y_channel=True) - psnr(noisy, clean)
    assert float(gap) == pytest.approx(20 * np.log10(255 / 219), abs=1e-9)
    assert 20 * np.log10(255 / 219) == pytest.approx(1.32, abs=0.005)
    # an error in one channel only is averaged out by the weights: a larger gap
    red = torch.zeros(1, 3, 16, 16)
    red[:, 0] = shift[:, 0]
    noisy_red = clean + red / 255
    assert psnr(noisy_red, clean, y_channel=True) - psnr(noisy_red, clean) > 5.0


def test_grayscale_and_quantisation():
    g = torch.Generator().manual_seed(1)
    a = torch.rand(1, 20, 24, generator=g)
    # a change below half an 8-bit level disappears after quantisation
    assert psnr(a.mul(255).round().div(255) + 0.001, a) == np.inf
    assert prepare(a, y_channel=True).shape == (1, 1, 20, 24)  # gray stays gray


def test_bad_shapes_are_clear_errors():
    with pytest.raises(ValueError, match="C in"):
        psnr(torch.rand(4, 8, 8), torch.rand(4, 8, 8))
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(torch.rand(3, 8, 8), torch.rand(3, 8, 9))
    with pytest.raises(ValueError, match="11x11"):
        ssim(torch.rand(3, 8, 8), torch.rand(3, 8, 8))
