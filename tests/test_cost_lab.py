"""The numbers behind the cost-norm widgets, against closed forms and POT."""

from __future__ import annotations

import numpy as np
import ot
import pytest
import torch

from rcot_lib import cost_lab, costs, toy2d


def test_signals_are_seeded_with_a_planted_sparse_pairing():
    X, Y, truth = cost_lab.sample_signals(10, 16, seed=3)
    X2, _, truth2 = cost_lab.sample_signals(10, 16, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(truth, truth2)
    assert X.shape == Y.shape == (10, 16) and sorted(truth) == list(range(10))
    # the planted residuals are two DCT coefficients plus faint noise
    assert cost_lab.sparse_share(X - Y[truth], "dct") == 1.0
    assert cost_lab.sparse_share(X - Y[truth], "identity") == 0.0


def test_lab_problems_are_feasible_and_checked():
    pts = cost_lab.lab_problem("points", 9, seed=2)
    assert pts["truth"] is None and pts["X"].shape == (9, 2)
    np.testing.assert_allclose(pts["b"], 1 / 9)
    sig = cost_lab.lab_problem("signals", 9, seed=2)
    np.testing.assert_allclose(sig["a"], sig["b"][sig["truth"]])  # truth is a plan
    for prob in (pts, sig):
        assert prob["a"].sum() == pytest.approx(1.0) and prob["a"].std() > 0
    with pytest.raises(ValueError, match="data='images'"):
        cost_lab.lab_problem("images")


def test_sparse_share_in_2d_is_the_dct_axis_fraction():
    R = np.random.default_rng(0).standard_normal((400, 2))
    assert cost_lab.sparse_share(R, "dct") == pytest.approx(toy2d.dct_axis_fraction(R))
    assert cost_lab.sparse_share(R, "identity") == pytest.approx(
        toy2d.dct_axis_fraction(R, basis="identity"))
    with pytest.raises(ValueError, match="basis"):
        toy2d.dct_axis_fraction(R, basis="fft")
    w = np.r_[np.ones(200), np.zeros(200)]
    assert cost_lab.sparse_share(R, weights=w) == cost_lab.sparse_share(R[:200])


def test_plan_summary_matches_pot_and_its_marginals():
    prob = cost_lab.lab_problem("points", 12, seed=0)
    X, Y, a, b = (prob[k] for k in "XYab")
    s = cost_lab.plan_summary(X, Y, a, b, lam=1.0, p=0.7)
    C = costs.frot_cost_matrix(X, Y, 1.0, 0.7)
    assert s["cost"] == pytest.approx(ot.emd2(a, b, C))
    np.testing.assert_allclose(s["plan_push"], b, atol=1e-12)
    assert s["map_push"].sum() == pytest.approx(1.0)
    assert s["split"] > 0  # uneven a, uniform b: some sources must split
    assert not np.allclose(s["map_push"], b)
    assert s["mass"].sum() == pytest.approx(1.0)


def test_parseval_p2_keeps_the_euclidean_plan_but_not_with_a_squared_base():
    prob = cost_lab.lab_problem("points", 12, seed=0)
    args = [prob[k] for k in "XYab"]
    plain = cost_lab.plan_summary(*args, lam=0.0)["P"]
    np.testing.assert_allclose(cost_lab.plan_summary(*args, lam=3.0, p=2.0)["P"], plain)
    sq0 = cost_lab.plan_summary(*args, lam=0.0, base="sqeuclidean")["P"]
    sq2 = cost_lab.plan_summary(*args, lam=3.0, p=2.0, base="sqeuclidean")["P"]
    assert not np.allclose(sq0, sq2)


def test_small_p_finds_the_planted_signal_pairs():
    def on_truth(seed, **kw):
        prob = cost_lab.lab_problem("signals", 12, seed)
        return cost_lab.plan_summary(*(prob[k] for k in "XYab"), truth=prob["truth"],
                                     **kw)["on_truth"]

    plain = np.mean([on_truth(s, lam=0.0) for s in range(8)])
    sparse = np.mean([on_truth(s, lam=1.0, p=0.5) for s in range(8)])
    assert plain < 0.8 and sparse == pytest.approx(1.0)


def test_price_of_white_noise_and_of_a_single_coefficient():
    g = torch.Generator().manual_seed(0)
    noise = torch.randn(1, 128, 128, generator=g)
    ps = np.array([0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(cost_lab.price(noise, ps), cost_lab.rayleigh_price(ps),
                               atol=0.01)
    assert cost_lab.rayleigh_price(1.0) == pytest.approx(np.sqrt(np.pi) / 2)
    flat = torch.full((1, 16, 16), 0.3)  # one DFT coefficient: price N^(1/2 - 1/p)
    np.testing.assert_allclose(cost_lab.price(flat, ps), 256.0 ** (0.5 - 1 / ps),
                               rtol=1e-4, atol=1e-4)  # |z| is smoothed at 0 for p < 1


def test_cost_terms_follow_the_training_cost():
    g = torch.Generator().manual_seed(1)
    r = torch.randn(3, 16, 24, generator=g) * 0.1
    t = cost_lab.cost_terms(r, p=1.0, lam=0.5)
    assert t["pixel"] == pytest.approx(float(costs.rms(r[None])[0]), rel=1e-5)
    assert t["fourier"] == pytest.approx(
        0.5 * float(costs.fourier_penalty(r[None], 1)[0]), rel=1e-5)
    assert cost_lab.cost_terms(r, p=2.0, norm="ortho")["ratio"] == pytest.approx(1.0)


def test_unnormalised_p2_term_grows_as_sqrt_hw():
    g = torch.Generator().manual_seed(2)
    r = torch.rand(3, 64, 64, generator=g)
    sizes = [8, 16, 32, 64]
    rms = cost_lab.crop_terms(r, sizes, 2.0, "ortho")
    np.testing.assert_allclose(cost_lab.crop_terms(r, sizes, 2.0, "backward"),
                               np.array(sizes) * rms, rtol=1e-5)


def test_residuals_are_cached_copies_and_prices_are_relative_to_noise():
    ramp = torch.linspace(0.1, 0.7, 48)
    clean = (ramp[:, None] * ramp[None, :]).expand(3, 48, 48).clone()  # smooth
    a = cost_lab.task_residual(clean, "dehaze", 0.4)
    a += 1.0  # a copy: the cache is untouched
    b = cost_lab.task_residual(clean, "dehaze", 0.4)
    assert torch.equal(b + 1.0, a)
    rows = cost_lab.price_table(clean, ["denoise_25", "dehaze"], ps=(1.0,))
    assert rows[0]["relative"] == pytest.approx(1.0)
    assert rows[1]["relative"] < 0.3  # a smooth veil is far cheaper than noise
