import math

import pytest
import torch

from rcot_lib import losses


def _info_nce_loop(z, labels, tau):
    z = torch.nn.functional.normalize(z.double().flatten(1), dim=1)
    terms = []
    for i in range(len(z)):
        pos = [j for j in range(len(z)) if j != i and labels[j] == labels[i]]
        if not pos:
            continue
        num = sum(math.exp(float(z[i] @ z[j]) / tau) for j in pos)
        den = sum(math.exp(float(z[i] @ z[j]) / tau) for j in range(len(z)) if j != i)
        terms.append(-math.log(num / den))
    return sum(terms) / len(terms)


def test_info_nce_matches_a_loop():
    g = torch.Generator().manual_seed(1)
    z = torch.randn(7, 4, 2, 2, generator=g)  # (B, C3, h, w) like e3
    labels = torch.tensor([0, 0, 1, 1, 2, 0, 1])  # label 2 has no positive
    got = losses.info_nce(z, labels, tau=0.07)
    assert float(got) == pytest.approx(_info_nce_loop(z, labels, 0.07), rel=1e-5)


def test_info_nce_closed_forms():
    g = torch.Generator().manual_seed(2)
    z = torch.randn(2, 5, generator=g)
    # two samples of one label: the positive is the whole denominator -> 0
    assert float(losses.info_nce(z, torch.tensor([3, 3]))) == pytest.approx(0, abs=1e-6)
    # two samples of different labels: no anchor has a positive -> 0
    assert float(losses.info_nce(z, torch.tensor([0, 1]))) == 0.0
    # three samples, anchor pair (0, 1) and one negative: softplus form
    z = torch.randn(3, 5, generator=g)
    u = torch.nn.functional.normalize(z, dim=1)
    s = u @ u.T / 0.07
    expect = 0.5 * (
        torch.nn.functional.softplus(s[0, 2] - s[0, 1])
        + torch.nn.functional.softplus(s[1, 2] - s[1, 0])
    )
    got = losses.info_nce(z, torch.tensor([4, 4, 0]), tau=0.07)
    assert float(got) == pytest.approx(float(expect), rel=1e-5)


def test_info_nce_is_differentiable_and_checks_sizes():
    z = torch.randn(4, 8, requires_grad=True)
    losses.info_nce(z, torch.tensor([0, 0, 1, 1])).backward()
    assert torch.isfinite(z.grad).all()
    with pytest.raises(ValueError, match="labels"):
        losses.info_nce(z, torch.tensor([0, 1]))


def test_frot_cost_selects_p_by_label():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 3, 8, 6, generator=g)
    t = torch.randn(4, 3, 8, 6, generator=g)
    labels = torch.tensor([0, 3, 2, 5])  # noise, rain, noise, blur
    got = losses.frot_cost(x, t, labels, lam=1.0)
    r = x - t
    mag = torch.fft.fft2(r).abs()
    for i, lab in enumerate(labels.tolist()):
        fourier = mag[i].pow(2).mean().sqrt() if lab <= 2 else mag[i].mean()
        want = r[i].pow(2).mean().sqrt() + fourier
        assert float(got[i]) == pytest.approx(float(want), rel=1e-5)
    # Parseval: with the orthonormal FFT the p = 2 term doubles the RMS distance
    noise = torch.zeros(4, dtype=torch.long)
    both = losses.frot_cost(x, t, noise, fft_norm="ortho")
    torch.testing.assert_close(both, 2 * losses.rms(r))
    with pytest.raises(ValueError, match="norm"):
        losses.frot_cost(x, t, labels, fft_norm="unitary")


def test_gradient_penalty_zero_for_unit_linear_potential():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(3 * 4 * 5, generator=g)
    w = w / w.norm()

    def phi(y):
        return y.flatten(1) @ w  # gradient w everywhere, norm 1

    y, t = torch.rand(6, 3, 4, 5), torch.rand(6, 3, 4, 5)
    assert float(losses.gradient_penalty(phi, y, t, g)) < 1e-10
    # a potential with gradient norm 2 has penalty (2 - 1)^2 = 1
    gp2 = losses.gradient_penalty(lambda v: 2 * phi(v), y, t, g)
    assert float(gp2) == pytest.approx(1.0, rel=1e-5)


def test_map_loss_ignores_targets_of_unpaired_samples():
    g = torch.Generator().manual_seed(0)
    x, t, y = (torch.rand(4, 3, 8, 8, generator=g) for _ in range(3))
    labels = torch.tensor([0, 3, 4, 1])
    paired = torch.tensor([True, False, True, False])
    e3 = torch.randn(4, 6, 2, 2, generator=g)
    phi_t = torch.randn(4, generator=g)
    loss, parts = losses.map_loss(x, t, y, phi_t, labels, paired, e3)
    y2 = y.clone()
    y2[~paired] = 0.5  # change only the targets of unpaired samples
    loss2, _ = losses.map_loss(x, t, y2, phi_t, labels, paired, e3)
    assert float(loss) == pytest.approx(float(loss2))
    # and the pair term weighs paired samples by Sigma
    manual = (
        -phi_t.mean()
        + losses.frot_cost(x, t, labels).mean()
        + 0.1 * losses.info_nce(e3, labels)
        + 1e4 * (paired.float() * losses.pair_l1(t, y)).mean()
    )
    assert float(loss) == pytest.approx(float(manual), rel=1e-5)
    assert set(parts) == {"cost", "l1", "con", "adv"}


def test_potential_loss_sign():
    real, fake = torch.tensor([2.0, 2.0]), torch.tensor([0.5, 1.5])
    assert float(losses.potential_loss(real, fake)) == pytest.approx(-1.0)


def test_first_pass_term_weighs_only_paired_samples():
    g = torch.Generator().manual_seed(3)
    x, t, y, x0 = (torch.rand(4, 3, 8, 8, generator=g) for _ in range(4))
    labels = torch.tensor([0, 3, 4, 1])
    paired = torch.tensor([True, False, True, False])
    base, _ = losses.map_loss(x, t, y, None, labels, paired, Sigma=10.0)
    with_x0, parts = losses.map_loss(x, t, y, None, labels, paired, Sigma=10.0,
                                     x0=x0, first_pass_weight=0.5)
    l1 = losses.pair_l1(x0, y)
    extra = 0.5 * 10.0 * (paired.float() * l1).mean()
    assert float(with_x0 - base) == pytest.approx(float(extra), rel=1e-5)
    assert float(parts["l1_x0"]) == pytest.approx(float(l1[paired].mean()), rel=1e-5)
    off, parts_off = losses.map_loss(x, t, y, None, labels, paired, Sigma=10.0, x0=x0)
    assert float(off) == pytest.approx(float(base)) and "l1_x0" not in parts_off
