"""The FROT cost family on images against closed forms and scipy's transforms."""

import math

import numpy as np
import pytest
import scipy.fft
import torch

from rcot_lib import costs
from rcot_lib.image_costs import (
    FrotCost,
    base_distance,
    lp_norm,
    p_for_labels,
    task_p_table,
    transform_magnitudes,
)


def _r(b=3, c=3, h=8, w=6, seed=0):
    return torch.randn(b, c, h, w, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("transform", ["fft", "dct"])
def test_parseval_orthonormal_p2_equals_the_euclidean_distance(transform):
    r = _r()
    for reduction in ("mean", "sum"):
        fourier = FrotCost(base="none", p=2, transform=transform, norm="ortho",
                           reduction=reduction).residual_cost(r)
        torch.testing.assert_close(fourier, base_distance(r, "euclidean", reduction))


def test_dct_matches_scipy_dctn():
    r = _r(b=1, c=2)
    want = np.abs(scipy.fft.dctn(r.numpy(), type=2, norm="ortho", axes=(-2, -1)))
    got = transform_magnitudes(r, "dct", "ortho").reshape(want.shape).numpy()
    np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("transform", ["fft", "dct"])
@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0])
def test_backward_is_sqrt_hw_times_ortho(transform, p):
    r = _r(h=8, w=6)
    ortho = FrotCost(base="none", p=p, transform=transform, norm="ortho")(r, 0 * r)
    back = FrotCost(base="none", p=p, transform=transform, norm="backward")(r, 0 * r)
    torch.testing.assert_close(back, math.sqrt(8 * 6) * ortho, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("p", [0.5, 1.0, 2.0])
def test_sum_is_n_to_the_one_over_p_times_mean(p):
    r = _r()
    n = r[0].numel()
    mag = transform_magnitudes(r, "identity")
    torch.testing.assert_close(lp_norm(mag, p, "sum"), n ** (1 / p) * lp_norm(mag, p),
                               rtol=1e-4, atol=1e-5)
    want = (r.abs().flatten(1) ** p).sum(1) ** (1 / p)
    torch.testing.assert_close(lp_norm(mag, p, "sum"), want, rtol=1e-4, atol=1e-5)


def test_l2_units_put_every_p_on_the_euclidean_scale():
    r = _r(b=2, h=32, w=32, seed=5)
    eu = base_distance(r, "euclidean", "l2")
    torch.testing.assert_close(eu, r.flatten(1).norm(dim=1))
    p2 = FrotCost(base="none", p=2, norm="ortho", reduction="l2").residual_cost(r)
    torch.testing.assert_close(p2, eu)
    p1 = FrotCost(base="none", p=1, norm="ortho", reduction="l2").residual_cost(r)
    torch.testing.assert_close(p1 / eu, torch.full((2,), math.sqrt(math.pi) / 2),
                               rtol=0.02, atol=0)  # white noise: E|z| / rms(z)


def test_white_noise_expectations():
    # orthonormal transforms keep white noise white: DCT coefficients are N(0, s^2)
    # (E|z| = s sqrt(2/pi)); DFT coefficients are complex, |z| Rayleigh with
    # E|z| = s sqrt(pi)/2 (apart from the few real ones)
    s = 0.3
    r = s * _r(b=4, c=3, h=128, w=128, seed=3)
    dct = lp_norm(transform_magnitudes(r, "dct", "ortho"), 1).mean()
    fft = lp_norm(transform_magnitudes(r, "fft", "ortho"), 1).mean()
    assert float(dct) == pytest.approx(s * math.sqrt(2 / math.pi), rel=0.01)
    assert float(fft) == pytest.approx(s * math.sqrt(math.pi) / 2, rel=0.01)
    # and the unnormalised p = 2 term grows as sqrt(H W) while the RMS does not
    for size in (32, 64):
        x = s * _r(b=2, h=size, w=size, seed=size)
        ratio = costs.fourier_penalty(x, 2) / costs.rms(x)
        torch.testing.assert_close(ratio, torch.full((2,), float(size)), rtol=1e-4,
                                   atol=0)


def test_quasi_norm_below_one_breaks_the_triangle_inequality():
    a = torch.tensor([[1.0, 0.0]])
    b = torch.tensor([[0.0, 1.0]])
    na, nb, nab = (lp_norm(v, 0.5, "sum") for v in (a, b, a + b))
    assert float(nab) == pytest.approx(4.0, rel=1e-4)  # (1 + 1)^2
    assert float(nab) > float(na + nb)
    # p = 1 keeps it: |a + b|_1 = |a|_1 + |b|_1 here
    assert float(lp_norm(a + b, 1, "sum")) == pytest.approx(2.0)


def test_per_sample_p_equals_separate_calls():
    r = _r(b=4)
    cost = FrotCost(base="sqeuclidean", lam=0.5, transform="dct", reduction="sum")
    p = torch.tensor([2.0, 0.5, 1.0, 2.0])
    mixed = cost.residual_cost(r, p)
    for i, q in enumerate(p.tolist()):
        torch.testing.assert_close(mixed[i], cost.residual_cost(r[i : i + 1], q)[0])


def test_the_authors_member_is_the_old_image_cost():
    x, y = _r(seed=1), _r(seed=2)
    mag = torch.fft.fft2(x - y).abs().flatten(1)
    rms = (x - y).pow(2).flatten(1).mean(1).sqrt()
    torch.testing.assert_close(costs.frot_image_cost(x, y, p=1), rms + mag.mean(1))
    torch.testing.assert_close(costs.frot_image_cost(x, y, p=2),
                               rms + mag.pow(2).mean(1).sqrt())


def test_bases_and_gradients():
    r = _r()
    sq = base_distance(r, "sqeuclidean", "sum")
    torch.testing.assert_close(sq, r.pow(2).flatten(1).sum(1))
    torch.testing.assert_close(base_distance(r, "euclidean", "sum"), sq.sqrt())
    assert float(base_distance(r, "none").abs().sum()) == 0.0
    z = torch.zeros(1, 1, 4, 4, requires_grad=True)
    FrotCost(p=0.5, lam=1.0)(z, torch.zeros_like(z)).sum().backward()
    assert torch.isfinite(z.grad).all()  # smoothed |z| at r = 0


def test_p_tables():
    assert p_for_labels(torch.tensor([0, 1, 2, 3, 4, 5, 6])).tolist() == [
        2, 2, 2, 1, 1, 1, 1]
    table = task_p_table(("denoise_25", "derain"), (1.0, 0.5))
    assert table[1] == 1.0 and table[3] == 0.5 and table[0] == 2.0
    assert p_for_labels(torch.tensor([3, 1]), table).tolist() == [0.5, 1.0]


def test_clear_errors():
    with pytest.raises(ValueError, match="transform"):
        FrotCost(transform="wavelet")
    with pytest.raises(ValueError, match=r"outside \[0.5, 2"):
        FrotCost(p=3)
    with pytest.raises(ValueError, match="base"):
        FrotCost(base="manhattan")
    with pytest.raises(ValueError, match="one p per task"):
        task_p_table(("denoise_25", "derain"), (1.0,))
    with pytest.raises(ValueError, match="no p for degradation labels"):
        p_for_labels(torch.tensor([9]))
    with pytest.raises(ValueError, match="shapes differ"):
        FrotCost()(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 3))
