"""Toy 2-D samplers and POT plans against closed forms (Gaussian W2) and POT."""

from __future__ import annotations

import numpy as np
import ot
import pytest

from rcot_lib import toy2d


def test_samplers_are_seeded_and_shaped():
    for name in toy2d.PAIRS:
        X1, Y1 = toy2d.sample_pair(name, 64, seed=3)
        X2, Y2 = toy2d.sample_pair(name, 64, seed=3)
        X3, _ = toy2d.sample_pair(name, 64, seed=4)
        assert X1.shape == Y1.shape == (64, 2)
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(Y1, Y2)
        assert not np.allclose(X1, X3)


def test_ring_radius_and_8gaussian_modes():
    R = toy2d.sample_ring(2000, radius=1.0, width=0.05, seed=0)
    assert np.abs(np.linalg.norm(R, axis=1).mean() - 1.0) < 0.01
    G = toy2d.sample_8gaussians(4000, seed=0)
    angles = np.round(np.arctan2(G[:, 1], G[:, 0]) / (np.pi / 4)) % 8
    counts = np.bincount(angles.astype(int), minlength=8)
    assert counts.min() > 350  # eight modes, about 500 each


def test_antithetic_samples_have_exact_centres():
    for name, (cx, cy) in toy2d.CENTRES.items():
        X, Y = toy2d.sample_pair(name, 200, seed=0, antithetic=True)
        np.testing.assert_allclose(X.mean(0), cx, atol=1e-12)
        np.testing.assert_allclose(Y.mean(0), cy, atol=1e-12)
    with pytest.raises(ValueError, match="even"):
        toy2d.sample_pair("gaussians", 5, antithetic=True)


def test_gaussian_map_pushes_covariance_and_matches_pot():
    (m0, S0), (m1, S1) = toy2d.GAUSS_SOURCE, toy2d.GAUSS_TARGET
    S0 = np.array([[1.5, 0.3], [0.3, 0.5]])
    A, t = toy2d.gaussian_map(m0, S0, m1, S1)
    np.testing.assert_allclose(A, A.T, atol=1e-12)  # symmetric positive: a gradient
    assert np.all(np.linalg.eigvalsh(A) > 0)
    np.testing.assert_allclose(A @ S0 @ A.T, S1, atol=1e-10)
    A_pot, b_pot = ot.gaussian.bures_wasserstein_mapping(m0, m1, S0, S1)
    np.testing.assert_allclose(A, A_pot, atol=1e-8)
    w2 = toy2d.gaussian_w2_squared(m0, S0, m1, S1)
    ref = ot.gaussian.bures_wasserstein_distance(m0, m1, S0, S1) ** 2
    assert w2 == pytest.approx(float(np.squeeze(ref)), rel=1e-8)


def test_exact_plan_on_gaussian_samples_approaches_closed_form():
    (m0, S0), (m1, S1) = toy2d.GAUSS_SOURCE, toy2d.GAUSS_TARGET
    X, Y = toy2d.sample_pair("gaussians", 800, seed=0, antithetic=True)
    P, cost = toy2d.exact_plan(X, Y)
    assert cost == pytest.approx(toy2d.gaussian_w2_squared(m0, S0, m1, S1), rel=0.03)
    np.testing.assert_allclose(P.sum(1), 1 / 800)
    A, t = toy2d.gaussian_map(m0, S0, m1, S1)
    bary = toy2d.barycentric_map(P, Y)
    err = np.linalg.norm(bary - (X @ A.T + t), axis=1)
    assert np.median(err) < 0.2  # the empirical map follows the linear one


def test_exact_plan_is_a_permutation_for_equal_sizes():
    X, Y = toy2d.sample_pair("square_to_moons", 30, seed=1)
    P, cost = toy2d.exact_plan(X, Y)
    assert np.count_nonzero(P > 1e-12) == 30
    assert cost == pytest.approx(ot.emd2(toy2d.uniform(30), toy2d.uniform(30),
                                         ot.dist(X, Y)), rel=1e-10)


def test_sinkhorn_tends_to_exact_and_blurs_with_reg():
    X, Y = toy2d.sample_pair("8gaussians_to_ring", 40, seed=2)
    C = toy2d.cost_matrix(X, Y)
    _, exact = toy2d.exact_plan(X, Y, C)
    sharp = toy2d.sinkhorn_plan(X, Y, reg=0.01, C=C)
    blurry = toy2d.sinkhorn_plan(X, Y, reg=1.0, C=C)
    np.testing.assert_allclose(sharp.sum(1), 1 / 40, rtol=1e-2)
    np.testing.assert_allclose(blurry.sum(0), 1 / 40, rtol=1e-6)
    assert np.sum(sharp * C) == pytest.approx(exact, rel=0.02)
    assert np.sum(blurry * C) > np.sum(sharp * C)
    ent = lambda P: -np.sum(P * np.log(P + 1e-300))  # noqa: E731
    assert ent(blurry) > ent(sharp)


def test_barycentric_map_of_a_permutation_is_the_matched_point():
    Y = np.arange(6.0).reshape(3, 2)
    P = np.eye(3)[[2, 0, 1]] / 3
    np.testing.assert_allclose(toy2d.barycentric_map(P, Y), Y[[2, 0, 1]])


def test_unknown_pair_is_a_clear_error():
    with pytest.raises(ValueError, match="gaussians"):
        toy2d.sample_pair("spirals", 10)
