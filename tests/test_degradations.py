import math

import pytest
import torch
import torch.nn.functional as F

from rcot_lib import degrade as D
from rcot_lib.degrade.kernels import (
    convolve,
    gaussian_kernels,
    line_kernels,
    trajectory_kernels,
)
from rcot_lib.degrade.sampling import as_generator


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(2, 3, 1, 1, generator=g) * 0.6 + 0.2
    smooth = F.interpolate(torch.rand(2, 3, 6, 6, generator=g), size=(48, 64),
                           mode="bilinear", align_corners=False)
    return (0.5 * x + 0.5 * smooth).clamp(0, 1)  # (B, C, H, W)


def test_tasks_labels_and_p_follow_the_code():
    assert D.TASKS == (
        "denoise_15", "denoise_25", "denoise_50", "derain", "dehaze", "deblur",
        "lowlight",
    )
    assert [D.TASK_LABELS[t] for t in D.TASKS] == list(range(7))
    assert [D.fourier_p(label) for label in range(7)] == [2, 2, 2, 1, 1, 1, 1]
    assert D.fourier_p("denoise_50") == 2 and D.fourier_p("lowlight") == 1
    assert D.P_BY_LABEL[3] == 1


@pytest.mark.parametrize("task", D.TASKS)
def test_degrade_shape_range_determinism(task, batch):
    y = D.degrade(batch, task, generator=3)
    assert y.shape == batch.shape and y.dtype == torch.float32
    assert float(y.min()) >= 0 and float(y.max()) <= 1
    assert not torch.equal(y, batch)
    assert torch.equal(y, D.degrade(batch, task, torch.Generator().manual_seed(3)))
    assert not torch.equal(y, D.degrade(batch, task, generator=4))
    single = D.degrade(batch[0], task, generator=3)
    assert single.shape == batch[0].shape
    gray = D.degrade(batch[:, :1], task, generator=3)
    assert gray.shape == (2, 1, 48, 64)


def test_unknown_task_and_bad_shapes_are_clear_errors(batch):
    with pytest.raises(ValueError, match="valid tasks: denoise_15"):
        D.degrade(batch, "desnow")
    with pytest.raises(ValueError, match="channels"):
        D.degrade(torch.rand(1, 2, 8, 8), "dehaze")
    with pytest.raises(ValueError, match="tensor"):
        D.degrade(torch.rand(8, 8), "dehaze")


def test_noise_level_from_the_name_and_override():
    x = torch.full((1, 3, 64, 64), 0.5)
    for task, sigma in D.NOISE_SIGMAS.items():
        r = D.degrade(x, task, generator=0) - x
        assert abs(float(r.std()) * 255 - sigma) < 0.05 * sigma
    r = D.degrade(x, "denoise_15", generator=0, sigma=5.0) - x
    assert abs(float(r.std()) * 255 - 5.0) < 0.3
    y = D.add_gaussian_noise(torch.zeros(1, 8, 8), 0, sigma=50)
    assert float(y.min()) == 0.0  # clipped as in the papers' data code
    q = D.add_gaussian_noise(x, 0, sigma=25, quantize=True)
    assert torch.allclose(q * 255, (q * 255).round(), atol=1e-4)


def test_rain_is_additive_achromatic_and_heavier_when_heavy(batch):
    x = torch.full((1, 3, 64, 64), 0.3)
    light = D.degrade(x, "derain", generator=0)
    r = light - x
    assert float(r.min()) >= 0
    assert torch.allclose(r[:, 0], r[:, 1]) and torch.allclose(r[:, 0], r[:, 2])
    heavy = D.degrade(x, "derain", generator=0, heavy=True)
    assert float((heavy - x).mean()) > 2 * float(r.mean())
    with pytest.raises(ValueError, match="unknown rain parameters"):
        D.add_rain(x, 0, speed=3)


def test_vertical_rain_varies_across_not_along_the_streaks():
    x = torch.zeros(1, 1, 96, 96)
    r = D.add_rain(x, 0, angle=0.0, length=30.0)[0, 0]
    dx = (r[:, 1:] - r[:, :-1]).pow(2).mean()
    dy = (r[1:] - r[:-1]).pow(2).mean()
    assert dx > 5 * dy


def test_haze_follows_the_scattering_model(batch):
    depth = torch.rand(2, 1, 48, 64, generator=torch.Generator().manual_seed(0))
    y = D.add_haze(batch, 0, beta=1.2, airlight=0.9, depth=depth)
    t = torch.exp(-1.2 * depth)
    torch.testing.assert_close(y, batch * t + 0.9 * (1 - t))
    d = D.synthetic_depth(batch, 0)
    assert d.shape == (2, 1, 48, 64)
    assert float(d.min()) == 0.0 and abs(float(d.max()) - 1) < 1e-6
    assert float(d[:, :, :8].mean()) > float(d[:, :, -8:].mean())  # top is far


def test_kernels_are_normalised_and_convolve_is_a_convolution(batch):
    n = 3
    length = torch.tensor([5.0, 9.0, 15.0])
    kernels = [
        line_kernels(length, torch.tensor([0.0, 30.0, 90.0])),
        gaussian_kernels(torch.tensor([0.5, 1.0, 2.0])),
        trajectory_kernels(length, torch.Generator().manual_seed(0)),
    ]
    for k in kernels:
        assert k.shape[0] == n and k.shape[-1] % 2 == 1
        assert float(k.min()) >= 0
        torch.testing.assert_close(k.sum(dim=(1, 2)), torch.ones(n))
    vertical = line_kernels(torch.tensor([7.0]), torch.tensor([0.0]))[0]
    c = vertical.shape[-1] // 2
    assert float(vertical[:, c].sum()) > 0.99  # angle 0 = a vertical line
    delta = torch.zeros(5, 5)
    delta[2, 2] = 1
    torch.testing.assert_close(convolve(batch, delta), batch, atol=1e-5, rtol=0)
    k = kernels[2][:2]  # asymmetric kernels: check the flip against conv2d
    r = k.shape[-1] // 2
    weight = k.flip(-1, -2).repeat_interleave(3, 0)[:, None]  # (6, 1, k, k)
    ref = F.conv2d(batch.reshape(1, 6, 48, 64), weight, groups=6)
    ref = ref.reshape(2, 3, 48 - 2 * r, 64 - 2 * r)
    out = convolve(batch, k)[..., r:-r, r:-r]
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=0)


def test_blur_keeps_constants_and_softens_edges():
    flat = torch.full((2, 3, 32, 32), 0.4)
    for kind in ("linear", "trajectory", "random"):
        torch.testing.assert_close(D.motion_blur(flat, 0, kind=kind), flat)
    edge = torch.zeros(1, 1, 32, 32)
    edge[..., 16:] = 1
    soft = D.degrade(edge, "deblur", 0, kind="gaussian", sigma=2.0)
    assert 0.1 < float(soft[0, 0, 16, 15]) < 0.5
    with pytest.raises(ValueError, match="kind"):
        D.motion_blur(edge, 0, kind="zoom")


def test_darken_is_dark_and_follows_the_mean_model(batch):
    y = D.darken(batch, 0, gamma=2.0, scale=0.2, photons=1e7, read_noise=0.0)
    torch.testing.assert_close(y, 0.2 * batch**2, atol=2e-3, rtol=0)
    low = D.degrade(batch, "lowlight", 0)
    assert float(low.mean()) < 0.35 * float(batch.mean())


def test_degrade_each_and_generator_forms(batch):
    y = D.degrade_each(batch, ["denoise_25", "dehaze"], generator=0)
    assert y.shape == batch.shape
    with pytest.raises(ValueError, match="tasks for a batch"):
        D.degrade_each(batch, ["dehaze"])
    with pytest.raises(ValueError, match="generator"):
        as_generator("seed")
    assert torch.equal(
        D.degrade(batch, "deblur", 5), D.degrade(batch, "deblur", as_generator(5))
    )


def test_light_rain_noise_and_haze_levels_are_plausible(batch):
    x = batch.repeat(4, 1, 1, 1)
    psnr = {}
    for task in ("denoise_25", "dehaze"):
        mse = (D.degrade(x, task, 0) - x).pow(2).mean()
        psnr[task] = -10 * math.log10(float(mse))
    assert 19 < psnr["denoise_25"] < 21.5  # about 20.2 dB before clipping
    assert 8 < psnr["dehaze"] < 25
