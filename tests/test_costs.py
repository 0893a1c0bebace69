"""The FROT cost (Eq. 4) against independent references: scipy/numpy transforms,
Parseval's identity and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft
import torch

from rcot_lib import costs


def test_dct_matrix_matches_scipy_and_is_orthonormal():
    rng = np.random.default_rng(0)
    for d in (2, 5):
        D = costs.dct_matrix(d)
        v = rng.standard_normal(d)
        np.testing.assert_allclose(D @ v, scipy.fft.dct(v, norm="ortho"), atol=1e-12)
        np.testing.assert_allclose(D @ D.T, np.eye(d), atol=1e-12)


def test_two_by_two_dct_is_sum_and_difference():
    s = 1 / np.sqrt(2)
    np.testing.assert_allclose(costs.dct_matrix(2), [[s, s], [s, -s]], atol=1e-12)


@pytest.mark.parametrize("transform", ["dct", "fft"])
def test_parseval_p2_ortho_equals_euclidean(transform):
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((6, 4)), rng.standard_normal((5, 4))
    euclid = np.linalg.norm(X[:, None] - Y[None], axis=-1)
    C = costs.frot_cost_matrix(X, Y, lam=1.0, p=2, transform=transform, norm="ortho")
    np.testing.assert_allclose(C, 2 * euclid, rtol=1e-12)


def test_backward_fft_scales_p2_term_by_sqrt_d():
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    euclid = np.linalg.norm(X[:, None] - Y[None], axis=-1)
    C = costs.frot_cost_matrix(X, Y, lam=1.0, p=2, transform="fft", norm="backward")
    np.testing.assert_allclose(C, euclid * (1 + np.sqrt(4)), rtol=1e-12)


def test_p1_dct_term_by_hand():
    X = np.array([[1.0, 0.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    # r = (1, 0): D r = (1, 1)/sqrt 2, l1 = sqrt 2; r = (0, -1): D r = (-1, 1)/sqrt 2
    C = costs.frot_cost_matrix(X, Y, lam=2.0, p=1, base="sqeuclidean")
    np.testing.assert_allclose(C, [[1 + 2 * np.sqrt(2), 1 + 2 * np.sqrt(2)]])
    # a residual along (1, 1) is 1-sparse in the DCT basis: l1 = l2
    C = costs.frot_cost_matrix(np.array([[1.0, 1.0]]), np.zeros((1, 2)), lam=1.0, p=1)
    np.testing.assert_allclose(C, [[2 * np.sqrt(2)]])


def test_squared_euclidean_matrix_matches_pot():
    import ot

    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((7, 2)), rng.standard_normal((4, 2))
    np.testing.assert_allclose(
        costs.sqeuclidean_matrix(X, Y), ot.dist(X, Y), atol=1e-12
    )


def test_pointwise_torch_cost_matches_matrix_diagonal():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    for p in (1, 2):
        C = costs.frot_cost_matrix(X, Y, lam=0.7, p=p, base="sqeuclidean")
        c = costs.frot_cost_pointwise(torch.tensor(X), torch.tensor(Y), lam=0.7, p=p)
        np.testing.assert_allclose(c.numpy(), np.diag(C), rtol=1e-6)


def test_image_cost_matches_numpy_fft():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(2, 3, 8, 8, generator=g), torch.rand(2, 3, 8, 8, generator=g)
    r = (x - y).double().numpy()
    mag = np.abs(np.fft.fft2(r)).reshape(2, -1)
    rms = np.sqrt((r**2).reshape(2, -1).mean(1))
    got1 = costs.frot_image_cost(x, y, p=1).numpy()
    got2 = costs.frot_image_cost(x, y, p=2).numpy()
    np.testing.assert_allclose(got1, rms + mag.mean(1), rtol=1e-5)
    np.testing.assert_allclose(got2, rms + np.sqrt((mag**2).mean(1)), rtol=1e-5)


def test_image_parseval_ortho_and_backward_scale():
    g = torch.Generator().manual_seed(1)
    r = torch.randn(3, 1, 8, 16, generator=g)
    rms = costs.rms(r)
    ortho = costs.fourier_penalty(r, p=2, norm="ortho")
    backward = costs.fourier_penalty(r, p=2, norm="backward")
    torch.testing.assert_close(ortho, rms)
    torch.testing.assert_close(backward, rms * np.sqrt(8 * 16))


def test_per_sample_p_from_labels():
    labels = torch.tensor([0, 2, 3, 6])
    p = costs.p_for_label(labels)
    assert p.tolist() == [2, 2, 1, 1]
    assert [costs.p_for_label(k) for k in range(7)] == [2, 2, 2, 1, 1, 1, 1]
    g = torch.Generator().manual_seed(2)
    r = torch.randn(4, 3, 4, 4, generator=g)
    mixed = costs.fourier_penalty(r, p)
    torch.testing.assert_close(mixed[:2], costs.fourier_penalty(r[:2], 2))
    torch.testing.assert_close(mixed[2:], costs.fourier_penalty(r[2:], 1))


def test_sparse_residual_has_smaller_l1_fourier_term():
    # a constant residual is one Fourier coefficient; white noise of the same energy
    # spreads over all of them, so its l1 term is larger (the reason p = 1 suits
    # sparse degradations)
    g = torch.Generator().manual_seed(3)
    flat = torch.full((1, 1, 16, 16), 0.1)
    noise = torch.randn(1, 1, 16, 16, generator=g)
    noise = noise * costs.rms(flat) / costs.rms(noise)
    assert costs.fourier_penalty(flat, 1) < 0.2 * costs.fourier_penalty(noise, 1)


def test_bad_input_is_a_clear_error():
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match="transform"):
        costs.frot_cost_matrix(X, X, transform="wavelet")
    with pytest.raises(ValueError, match="p="):
        costs.frot_cost_matrix(X, X, p=3)
    with pytest.raises(ValueError, match="norm"):
        costs.fourier_penalty(torch.zeros(1, 1, 2, 2), 1, norm="forward")
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        costs.frot_cost_matrix(X, np.zeros((2, 3)))
