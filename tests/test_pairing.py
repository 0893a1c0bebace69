"""The pairing-recovery experiment: exact OT between degraded and clean patches."""

from __future__ import annotations

import numpy as np
import pytest

from rcot_lib import pairing
from rcot_lib.tables import pivot_table


@pytest.mark.parametrize(
    "setting",
    [
        {"p": 1.0},
        {"p": 2.0, "transform": "fft", "norm": "backward"},
        {"p": 0.5, "transform": "identity", "base": "sqeuclidean"},
        {"lam": 0.0},
        {"p": 1.5, "base": "none"},
    ],
)
def test_identity_degradation_recovers_every_pair(setting):
    out = pairing.pairing_recovery("identity", n=48, **setting)
    assert out["recovered"] == 1.0
    assert out["true_cost"] == 0.0 and out["margin"] == 0.0
    np.testing.assert_array_equal(out["matched"].shape, (48,))


def test_patches_are_pairs_of_the_same_place():
    X, Y = pairing.patch_pairs("dehaze", n=40, size=6, seed=3)
    assert X.shape == Y.shape == (40, 36)
    assert not X.flags.writeable  # cached arrays cannot be changed by a caller
    Xi, Yi = pairing.patch_pairs("identity", n=40, size=6, seed=3)
    np.testing.assert_array_equal(Yi, Y)  # same positions, same clean patches
    np.testing.assert_array_equal(Xi, Yi)
    assert (X - Y).mean() > 0.05  # haze lifts dark pixels towards the airlight


def test_result_is_seeded():
    a = pairing.pairing_recovery("denoise_50", n=64, p=1.0, seed=5)
    b = pairing.pairing_recovery("denoise_50", n=64, p=1.0, seed=5)
    c = pairing.pairing_recovery("denoise_50", n=64, p=1.0, seed=6)
    assert a["recovered"] == b["recovered"] and a["ot_cost"] == b["ot_cost"]
    np.testing.assert_array_equal(a["matched"], b["matched"])
    assert a["ot_cost"] != c["ot_cost"]


def test_margin_and_recovered_are_consistent():
    out = pairing.pairing_recovery("denoise_50", n=64, p=0.5, seed=0)
    assert 0.0 < out["recovered"] < 1.0  # discriminates: heavy noise, l_0.5 prior
    assert out["margin"] > 0  # a wrong matching is cheaper than the truth
    assert out["ot_cost"] <= out["true_cost"]
    assert out["relative_margin"] == pytest.approx(out["margin"] / out["true_cost"])
    assert out["chance"] == 1 / 64


def test_parseval_makes_p2_independent_of_lambda():
    rec = [pairing.pairing_recovery("denoise_25", n=64, p=2.0, lam=lam)["recovered"]
           for lam in (0.0, 0.5, 4.0)]
    assert rec[0] == rec[1] == rec[2]


def test_sparse_residuals_prefer_small_p_and_noise_does_not():
    def rec(task, p):
        return pairing.pairing_recovery(task, p=p, lam=1.0)["recovered"]

    assert rec("dehaze", 1.0) > rec("dehaze", 2.0)
    assert rec("denoise_50", 2.0) > rec("denoise_50", 0.5)


def test_sweep_and_table():
    rows = pairing.pairing_sweep(["identity", "derain"], ps=[1.0, 2.0], n=32,
                                 seeds=(0, 1))
    assert [(r["task"], r["p"]) for r in rows] == [
        ("identity", 1.0), ("identity", 2.0), ("derain", 1.0), ("derain", 2.0)]
    assert rows[0]["recovered"] == 1.0 and rows[0]["seeds"] == 2
    table = pivot_table(rows, "task", "p", "recovered")
    assert table.splitlines()[0] == "| task | p = 1.0 | p = 2.0 |"
    assert "| identity | 1.00 | 1.00 |" in table


def test_clear_errors():
    with pytest.raises(ValueError, match="unknown task 'snow'.*derain"):
        pairing.pairing_recovery("snow")
    with pytest.raises(ValueError, match="outside"):
        pairing.pairing_recovery("identity", n=8, p=3.0)
    with pytest.raises(ValueError, match="transform"):
        pairing.pairing_recovery("identity", n=8, transform="wavelet")
    with pytest.raises(ValueError, match="zero cost"):
        pairing.pairing_recovery("identity", n=8, base="none", lam=0.0)
    with pytest.raises(ValueError, match="non-negative"):
        pairing.pairing_recovery("identity", n=8, lam=-1.0)
    with pytest.raises(ValueError, match="at least 2"):
        pairing.pairing_recovery("identity", n=1)
    with pytest.raises(ValueError, match="patch size"):
        pairing.pairing_recovery("identity", n=8, size=1)
    with pytest.raises(ValueError, match="seeds"):
        pairing.pairing_sweep(["identity"], seeds=())
