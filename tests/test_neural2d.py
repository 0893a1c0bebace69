"""The 2-D minimax (Eq. 5): networks, evaluation against POT and the closed-form
Gaussian map, and (slow) training that recovers that map."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from rcot_lib import neural2d, toy2d


class LinearMap(nn.Module):
    """``T(x) = x A^T + t`` as a module (for evaluating known maps)."""

    def __init__(self, A: np.ndarray, t: np.ndarray) -> None:
        super().__init__()
        self.A = nn.Parameter(torch.tensor(A, dtype=torch.float32), requires_grad=False)
        self.t = nn.Parameter(torch.tensor(t, dtype=torch.float32), requires_grad=False)

    def forward(self, x):
        return x @ self.A.T + self.t


def _gauss_map():
    (m0, S0), (m1, S1) = toy2d.GAUSS_SOURCE, toy2d.GAUSS_TARGET
    return toy2d.gaussian_map(m0, S0, m1, S1)


def test_map_is_residual_and_potential_is_scalar():
    T = neural2d.MapNet(hidden=16)
    nn.init.zeros_(T.net[-1].weight)
    nn.init.zeros_(T.net[-1].bias)
    x = torch.randn(5, 2)
    torch.testing.assert_close(T(x), x)
    assert neural2d.PotentialNet(hidden=16)(x).shape == (5,)


def test_closed_form_map_scores_ratio_one():
    A, t = _gauss_map()
    m = neural2d.evaluate_map(LinearMap(A, t), "gaussians", lam=0.0, p=1, n=400,
                              repeats=2)
    assert m["ratio"] == pytest.approx(1.0, abs=0.02)
    assert m["optimality_ratio"] == pytest.approx(1.0, abs=1e-6)  # monotone map
    assert m["w2_pushforward"] < 1.5 * m["w2_sampling"]
    (m0, S0), (m1, S1) = toy2d.GAUSS_SOURCE, toy2d.GAUSS_TARGET
    assert m["exact_cost"] == pytest.approx(toy2d.gaussian_w2_squared(m0, S0, m1, S1),
                                            rel=0.02)


def test_non_optimal_pushforward_costs_more():
    # compose the optimal map with a rotation that preserves N(m1, S1): same
    # pushforward, higher cost; the optimality ratio sees it
    A, t = _gauss_map()
    m1, S1 = toy2d.GAUSS_TARGET
    w, V = np.linalg.eigh(S1)
    half, half_inv = (V * np.sqrt(w)) @ V.T, (V / np.sqrt(w)) @ V.T
    R = np.array([[0.0, -1.0], [1.0, 0.0]])
    B = half @ R @ half_inv  # keeps N(0, S1)
    T = LinearMap(B @ A, m1 + B @ (t - m1))
    m = neural2d.evaluate_map(T, "gaussians", lam=0.0, p=1, n=400, repeats=2)
    assert m["ratio"] > 1.05 and m["optimality_ratio"] > 1.05
    assert m["w2_pushforward"] < 1.5 * m["w2_sampling"]


def test_identity_map_is_cheap_but_misses_the_target():
    T = LinearMap(np.eye(2), np.zeros(2))
    m = neural2d.evaluate_map(T, "gaussians", lam=0.5, p=1, n=200, repeats=1)
    assert m["neural_cost"] < 1e-6 and m["ratio"] < 1e-6
    assert m["w2_pushforward"] > 4 * m["w2_sampling"]


def test_training_is_seeded_and_lowers_the_cost_gap():
    from dataclasses import replace

    cfg = neural2d.Neural2DConfig(num_steps=6, t_iters=2, batch_size=64, hidden=16)
    r1 = neural2d.train_minimax("gaussians", cfg, progress=False)
    r2 = neural2d.train_minimax("gaussians", cfg, progress=False)
    for a, b in zip(r1.T.parameters(), r2.T.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    assert len(r1.history) == 6 and np.all(np.isfinite(r1.history))
    # after 6 steps the map is still near the identity: it pays almost nothing and
    # misses the target; 200 steps close most of the gap to the exact OT cost and
    # bring the pushforward to the target (about 1 s)
    longer = replace(cfg, num_steps=200, batch_size=128, hidden=32, lr=3e-3)
    trained = neural2d.train_minimax("gaussians", longer, progress=False)

    def scores(T):
        return neural2d.evaluate_map(T, "gaussians", cfg.lam, cfg.p, n=200, repeats=1)

    before, after = scores(r1.T), scores(trained.T)
    assert after["exact_cost"] == before["exact_cost"]  # the same samples

    def gap(m):
        return abs(m["neural_cost"] - m["exact_cost"])

    assert gap(before) > 0.9 * before["exact_cost"]
    assert gap(after) < 0.2 * gap(before)
    assert after["w2_pushforward"] < 0.5 * before["w2_pushforward"]


def test_transform_setting_reaches_the_cost():
    cfg = neural2d.Neural2DConfig(num_steps=3, t_iters=1, batch_size=32, hidden=8,
                                  lam=2.0, transform="identity")
    res = neural2d.train_minimax("gaussians", cfg, progress=False)
    X = np.random.default_rng(0).standard_normal((50, 2))
    TX = neural2d.apply_map(res.T, X)
    r = np.abs(X - TX)
    own = neural2d.map_cost(X, TX, 2.0, 1, transform="identity")
    assert own == pytest.approx(np.mean((r**2).sum(1) + 2.0 * r.sum(1)), rel=1e-5)
    m = neural2d.evaluate_map(res.T, "gaussians", 2.0, 1, n=40, repeats=1,
                              transform="identity")
    assert np.isfinite(m["ratio"])
    with pytest.raises(ValueError, match="transform"):
        bad = neural2d.Neural2DConfig(num_steps=1, transform="wavelet")
        neural2d.train_minimax("gaussians", bad, progress=False)


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="pair"):
        neural2d.train_minimax("spirals", progress=False)
    with pytest.raises(ValueError, match="p="):
        cfg = neural2d.Neural2DConfig(p=3)
        neural2d.train_minimax("gaussians", cfg, progress=False)


@pytest.mark.slow
def test_minimax_recovers_the_gaussian_w2_map():
    cfg = neural2d.Neural2DConfig(lam=0.0, num_steps=300, t_iters=5, batch_size=256,
                                  hidden=64)
    result = neural2d.train_minimax("gaussians", cfg, progress=False)
    A, t = _gauss_map()
    X, _ = toy2d.sample_pair("gaussians", 2000, seed=5)
    err = np.linalg.norm(neural2d.apply_map(result.T, X) - (X @ A.T + t), axis=1)
    assert np.median(err) < 0.15
    m = neural2d.evaluate_map(result.T, "gaussians", lam=0.0, p=1, n=600, repeats=2)
    assert m["ratio"] == pytest.approx(1.0, abs=0.03)


def test_cli_prints_one_json_object_per_pair(capsys):
    import json

    from rcot_lib.cli import main

    argv = ["toy2d", "--json", "--fast", "--steps", "3", "--pairs", "gaussians"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)  # stdout holds the JSON and nothing else
    assert [r["pair"] for r in rows] == ["gaussians"]
    r = rows[0]
    assert r["ratio"] == pytest.approx(r["neural_cost"] / r["exact_cost"])
    assert {"exact_cost", "neural_cost", "w2_pushforward"} <= set(r)


def test_cli_rejects_unknown_pair(capsys):
    from rcot_lib.cli import main

    assert main(["toy2d", "--pairs", "spirals"]) == 1
    assert "unknown toy pairs" in capsys.readouterr().err
