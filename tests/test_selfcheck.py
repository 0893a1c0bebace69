"""The exercises' self-checks pass a right answer and fail a wrong one.

Every right answer here comes from an independent reference (a closed form, a
brute force over permutations, NumPy by hand), not from the library function the
check itself calls.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from rcot_lib import selfcheck as sc


def _ok(verdict: sc.Verdict, capsys) -> str:
    out = capsys.readouterr().out.strip()
    assert out == verdict.message and "\n" not in out  # one printed line
    return out


@pytest.mark.parametrize("d", [2, 4, 9, 16])
def test_backward_factor_is_sqrt_d(d, capsys):
    right = sc.check_backward_factor(math.sqrt(d), d=d)
    assert right and _ok(right, capsys).startswith("correct")
    wrong = sc.check_backward_factor(d, d=d)
    assert not wrong and _ok(wrong, capsys).startswith("not yet: expected about")
    assert sc.check_backward_factor(math.sqrt)
    assert not sc.check_backward_factor(lambda k: 2.0)


def test_unanswered_and_malformed_answers(capsys):
    blank = sc.check_backward_factor(None)
    assert not blank and "replace None" in _ok(blank, capsys)
    with pytest.raises(ValueError, match="must be a number"):
        sc.check_backward_factor("two", d=4)
    with pytest.raises(ValueError, match="finite"):
        sc.check_parseval_factor(float("nan"))
    with pytest.raises(ValueError, match="dimension d"):
        sc.check_backward_factor(2.0)
    with pytest.raises(ValueError, match="function itself"):
        sc.check_l1_l2_ratio(0.5)
    assert sc.check_parseval_factor(torch.tensor(2.0))  # 0-d tensors are numbers


def _brute_force_threshold(X, Y):
    """First lam where argmin over permutations of E + lam F leaves the lam = 0 one.

    Every permutation's cost is affine in lam: E(s) + lam F(s) (Euclidean
    distances; l1 norm of the orthonormal DFT of the residual)."""
    n = len(X)
    R = X[:, None, :] - Y[None, :, :]
    E = np.linalg.norm(R, axis=-1)
    F = np.abs(np.fft.fft(R, axis=-1, norm="ortho")).sum(-1)
    perms = [np.array(s) for s in itertools.permutations(range(n))]
    e = np.array([E[np.arange(n), s].sum() for s in perms])
    f = np.array([F[np.arange(n), s].sum() for s in perms])
    best = np.argmin(e)
    cheaper = f < f[best] - 1e-12
    return float(np.min((e[cheaper] - e[best]) / (f[best] - f[cheaper])))


def test_lambda_threshold_against_permutations(capsys):
    rng = np.random.default_rng(3)
    for _ in range(20):  # a draw whose plan changes below lam = 10
        X, Y = rng.standard_normal((5, 2)), rng.standard_normal((5, 2)) + [1.0, 0.0]
        truth = _brute_force_threshold(X, Y)
        if truth < 5:
            break
    right = sc.check_lambda_threshold(truth, X, Y)
    assert right and _ok(right, capsys).startswith("correct")
    assert right.expected == pytest.approx(truth, abs=1e-4)
    assert not sc.check_lambda_threshold(truth * 0.5, X, Y)
    assert not sc.check_lambda_threshold(truth + 0.5, X, Y)


def test_axis_fraction_by_rotation(capsys):
    rng = np.random.default_rng(0)
    R = np.concatenate([rng.standard_normal((30, 2)), [[1.0, 1.0], [2.0, -2.0]]])
    Z = R @ (np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)).T  # the 2-D DCT
    truth = np.mean(np.abs(Z).min(1) < 0.1 * np.linalg.norm(R, axis=1))
    right = sc.check_axis_fraction(truth, R)
    assert right and _ok(right, capsys).startswith("correct")
    assert sc.check_axis_fraction(int(round(truth * len(R))), R)  # as a count
    assert not sc.check_axis_fraction(truth + 0.2, R)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        sc.check_axis_fraction(0.5, np.zeros((4, 3)))


def test_l1_l2_ratio(capsys):
    def right(c):
        c = np.abs(np.asarray(c, dtype=float)).ravel()
        return c.sum() / (np.sqrt(c.size) * np.sqrt((c**2).sum()))

    def stub(c):
        raise NotImplementedError("exercise 2")

    verdict = sc.check_l1_l2_ratio(right)
    assert verdict and _ok(verdict, capsys).startswith("correct")
    missing_sqrt = sc.check_l1_l2_ratio(lambda c: float(c.abs().sum() / c.norm()))
    assert not missing_sqrt and "expected about" in _ok(missing_sqrt, capsys)
    unwritten = sc.check_l1_l2_ratio(stub)
    assert not unwritten and "NotImplementedError" in _ok(unwritten, capsys)
    buggy = sc.check_l1_l2_ratio(lambda c: c.undefined)
    assert not buggy and "AttributeError" in _ok(buggy, capsys)
    assert not sc.check_l1_l2_ratio(lambda c: [1.0, 2.0])  # not one number


@pytest.mark.parametrize("lam", [1.0, 0.5, 3.0])
def test_parseval_factor_is_one_plus_lambda(lam, capsys):
    right = sc.check_parseval_factor(1 + lam, lam=lam)
    assert right and _ok(right, capsys).startswith("correct")
    assert not sc.check_parseval_factor(1.0, lam=lam)
    assert not sc.check_parseval_factor(1 + lam * 16, lam=lam)  # the sqrt(HW) factor


def _silhouette_by_hand(X, labels):
    D = np.linalg.norm(X[:, None] - X[None], axis=-1)
    s = []
    for i, li in enumerate(labels):
        own = (labels == li) & (np.arange(len(X)) != i)
        a = D[i, own].mean()
        b = min(D[i, labels == lj].mean() for lj in set(labels) - {li})
        s.append((b - a) / max(a, b))
    return float(np.mean(s))


def test_silhouette_by_hand(capsys):
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(0, 1, (15, 2)), rng.normal(3, 1, (12, 2))])
    labels = np.array([0] * 15 + [1] * 12)
    truth = _silhouette_by_hand(X, labels)
    right = sc.check_silhouette(truth, X, labels)
    assert right and _ok(right, capsys).startswith("correct")
    a_with_self = sc.check_silhouette(truth - 0.05, X, labels)
    assert not a_with_self
    with pytest.raises(ValueError, match="one label per row"):
        sc.check_silhouette(0.5, X, labels[:-1])


def _psnr8(a, b):
    a, b = (np.round(np.clip(v, 0, 1) * 255) for v in (a, b))
    mse = np.mean((a - b) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def _gain_threshold_numpy(x, y, gain_db, critic_noise, sigma=0.5, seed=0):
    """Soft thresholding of the orthonormal 2-D DFT of g, by NumPy, on a grid."""
    true = (x - y).double()
    w = torch.randn(true.shape, generator=torch.Generator().manual_seed(seed),
                    dtype=true.dtype)
    g = (2 * sigma * (-true + critic_noise * true.norm() * w / w.norm())).numpy()
    h = np.fft.fft2(g, norm="ortho")
    xn, yn = x.double().numpy(), y.double().numpy()

    def out_psnr(lam):
        mag = np.abs(h)
        shrink = np.clip(1 - sigma * lam / np.sqrt(g.size) / np.maximum(mag, 1e-30),
                         0, None)
        r = -np.fft.ifft2(h * shrink, norm="ortho").real / (2 * sigma)
        return _psnr8(xn - r, yn)

    base = out_psnr(0.0)
    return next(lam for lam in np.arange(0.25, 400, 0.25)
                if out_psnr(lam) - base >= gain_db)


def test_gain_lambda_against_numpy(capsys):
    from rcot_lib.unpaired import example_inputs

    x, y = example_inputs(crop=64)["derain"]
    truth = _gain_threshold_numpy(x, y, 2.0, 0.5)
    right = sc.check_gain_lambda(truth, x, y, atol=0.5)
    assert right and _ok(right, capsys).startswith("correct")
    assert not sc.check_gain_lambda(truth + 20, x, y)
    assert not sc.check_gain_lambda(0.0, x, y, atol=0.5)
