"""Discrete duality (Eq. 2, 3, 5) against POT's exact solver."""

from __future__ import annotations

import numpy as np
import ot
import pytest

from rcot_lib import duality
from rcot_lib.costs import frot_cost_matrix


def _problem(n=8, m=6, seed=0, lam=0.5, p=1):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, 2)), rng.standard_normal((m, 2)) + 1.0
    a = rng.random(n) + 0.5
    b = rng.random(m) + 0.5
    return a / a.sum(), b / b.sum(), frot_cost_matrix(X, Y, lam=lam, p=p)


def test_c_transform_by_hand():
    C = np.array([[0.0, 2.0], [3.0, 1.0]])
    np.testing.assert_allclose(duality.c_transform(np.array([0.0, 1.0]), C), [0.0, 0.0])
    f = np.array([1.0, 0.0])
    np.testing.assert_allclose(duality.c_bar_transform(f, C), [-1, 1])


def test_strong_duality_and_slackness_with_pot_duals():
    a, b, C = _problem()
    P, f, g, cost = duality.emd_with_duals(a, b, C)
    assert cost == pytest.approx(ot.emd2(a, b, C), rel=1e-10)
    assert duality.dual_objective(f, g, a, b) == pytest.approx(cost, rel=1e-9)
    rep = duality.complementary_slackness(P, f, g, C)
    assert rep.max_violation < 1e-9
    assert rep.max_gap_on_support < 1e-9
    assert rep.support_size <= len(a) + len(b) - 1  # a vertex of the LP


def test_slackness_detects_a_non_optimal_pair():
    a, b, C = _problem(seed=1)
    P, f, g, _ = duality.emd_with_duals(a, b, C)
    rep = duality.complementary_slackness(np.outer(a, b), f, g, C)
    assert rep.max_gap_on_support > 1e-3


def test_c_transform_improves_and_closes_the_dual():
    a, b, C = _problem(seed=2)
    _, f, g, cost = duality.emd_with_duals(a, b, C)
    # the c-transform of the optimal g is again an optimal f (the dual value is reached)
    fc = duality.c_transform(g, C)
    assert duality.dual_objective(fc, g, a, b) == pytest.approx(cost, rel=1e-9)
    assert np.all(fc >= f - 1e-9)  # the c-transform is the largest feasible f
    # for any g the semi-dual is a lower bound (weak duality)
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert duality.semi_dual_objective(rng.standard_normal(len(b)), a, b, C) <= cost


def test_interchange_inf_over_maps_is_the_c_transform():
    a, b, C = _problem(n=4, m=5, seed=3)
    g = np.random.default_rng(1).standard_normal(5)
    best, T = duality.inf_over_maps_brute_force(g, a, C)
    assert best == pytest.approx(np.dot(a, duality.c_transform(g, C)), rel=1e-12)
    assert duality.map_objective(duality.best_response_map(g, C), g, a, C) == best


@pytest.mark.parametrize("batch_size", [None, 16])
def test_semi_dual_gradient_ascent_reaches_emd2(batch_size):
    a, b, C = _problem(n=12, m=10, seed=4)
    exact = ot.emd2(a, b, C)
    g, history = duality.solve_semi_dual(a, b, C, num_steps=1000, batch_size=batch_size)
    value = duality.semi_dual_objective(g, a, b, C)
    assert value <= exact + 1e-9  # weak duality: never above the LP value
    assert value == pytest.approx(exact, rel=5e-3)
    assert history[-1] > history[0]


def test_dual_lp_by_scipy_matches_pot():
    a, b, C = _problem(seed=5)
    f, g, value = duality.solve_dual_lp(a, b, C)
    assert value == pytest.approx(ot.emd2(a, b, C), rel=1e-9)
    assert np.max(f[:, None] + g[None, :] - C) < 1e-9  # feasible


def test_plain_sgd_on_the_semi_dual_climbs_below_emd2():
    a, b, C = _problem(n=12, m=10, seed=4)
    exact = ot.emd2(a, b, C)
    g, history = duality.solve_semi_dual(a, b, C, num_steps=1000, optimizer="sgd")
    value = duality.semi_dual_objective(g, a, b, C)
    assert history[-1] > history[0] and value <= exact + 1e-9
    assert value == pytest.approx(exact, rel=2e-2)
    with pytest.raises(ValueError, match="optimizer"):
        duality.solve_semi_dual(a, b, C, num_steps=2, optimizer="lbfgs")


def test_bad_shapes_raise():
    a, b, C = _problem()
    with pytest.raises(ValueError, match="shape"):
        duality.semi_dual_objective(np.zeros(len(b)), a, b, C.T)
