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


# --- the cost family: base, transform, p in [0.5, 2], 2-D patches ----------------


@pytest.mark.parametrize("shape", [None, (2, 3)])
@pytest.mark.parametrize("transform", ["dct", "fft", "identity"])
def test_parseval_for_every_transform_and_patch_shape(transform, shape):
    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((4, 6)), rng.standard_normal((3, 6))
    euclid = np.linalg.norm(X[:, None] - Y[None], axis=-1)
    C = costs.frot_cost_matrix(X, Y, lam=0.5, p=2, transform=transform, shape=shape)
    np.testing.assert_allclose(C, 1.5 * euclid, rtol=1e-12)
    back = costs.frot_cost_matrix(X, Y, lam=1.0, p=2, transform=transform,
                                  norm="backward", base="none", shape=shape)
    scale = 1.0 if transform == "identity" else np.sqrt(6)  # identity ignores norm
    np.testing.assert_allclose(back, scale * euclid, rtol=1e-12)


@pytest.mark.parametrize("p", [0.5, 0.8, 1.0, 1.5, 2.0])
def test_identity_transform_is_the_plain_lp_norm_of_the_residual(p):
    rng = np.random.default_rng(6)
    X, Y = rng.standard_normal((5, 7)), rng.standard_normal((4, 7))
    R = np.abs(X[:, None] - Y[None])
    lp = np.sum(R**p, axis=-1) ** (1 / p)
    C = costs.frot_cost_matrix(X, Y, lam=2.0, p=p, transform="identity", base="none")
    np.testing.assert_allclose(C, 2.0 * lp, rtol=1e-12)
    sq = costs.frot_cost_matrix(X, Y, lam=2.0, p=p, transform="identity",
                                base="sqeuclidean")
    np.testing.assert_allclose(sq, np.sum(R**2, -1) + 2.0 * lp, rtol=1e-12)


def test_sqrt2_relations_in_two_dimensions():
    rng = np.random.default_rng(7)
    R = rng.standard_normal((50, 2))
    # the 2-point DFT is the 2-point DCT: (r1 + r2, r1 - r2) / sqrt 2
    for p in (0.5, 1.0, 1.7):
        np.testing.assert_allclose(costs.residual_norm(R, p, "fft"),
                                   costs.residual_norm(R, p, "dct"), rtol=1e-12)
    # ||D r||_1 = (|r1 + r2| + |r1 - r2|) / sqrt 2 = sqrt 2 max(|r1|, |r2|)
    np.testing.assert_allclose(costs.residual_norm(R, 1, "dct"),
                               np.sqrt(2) * np.abs(R).max(1), rtol=1e-12)
    # unnormalised: sqrt(d) = sqrt 2 times the orthonormal term, for every p
    for transform in ("dct", "fft"):
        np.testing.assert_allclose(
            costs.residual_norm(R, 0.7, transform, "backward"),
            np.sqrt(2) * costs.residual_norm(R, 0.7, transform), rtol=1e-12)
    # a residual on a DCT axis (along (1, 1)) has ||D r||_p = ||r||_2 for every p
    on_axis = np.array([[1.0, 1.0]])
    for p in (0.5, 1.0, 2.0):
        assert costs.residual_norm(on_axis, p, "dct")[0] == pytest.approx(np.sqrt(2))
    # and off the axes the quasi-norm p = 0.5 is the largest: 2 sqrt 2 at (1, 0)
    assert costs.residual_norm(np.array([[1.0, 0.0]]), 0.5, "dct")[0] == (
        pytest.approx(2 * np.sqrt(2)))


def test_below_one_the_norm_is_a_quasi_norm():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    n = lambda v: costs.residual_norm(v, 0.5, "identity")  # noqa: E731
    assert n(a + b) == pytest.approx(4.0) and n(a) + n(b) == pytest.approx(2.0)
    assert n(a + b) > n(a) + n(b)  # the triangle inequality fails...
    assert n(a + b) <= 2 ** (1 / 0.5 - 1) * (n(a) + n(b)) + 1e-12  # ...up to 2^(1/p-1)


def test_bases_match_pot_distances():
    import ot

    rng = np.random.default_rng(8)
    X, Y = rng.standard_normal((6, 3)), rng.standard_normal((5, 3))
    np.testing.assert_allclose(
        costs.frot_cost_matrix(X, Y, lam=0.0, base="sqeuclidean"), ot.dist(X, Y),
        atol=1e-12)
    np.testing.assert_allclose(
        costs.frot_cost_matrix(X, Y, lam=0.0, base="euclidean"),
        ot.dist(X, Y, metric="euclidean"), atol=1e-12)
    np.testing.assert_array_equal(
        costs.frot_cost_matrix(X, Y, lam=0.0, base="none"), np.zeros((6, 5)))


def test_patch_shape_gives_the_2d_transforms():
    rng = np.random.default_rng(9)
    R = rng.standard_normal((3, 12))
    patches = R.reshape(3, 3, 4)
    dct2 = scipy.fft.dctn(patches, norm="ortho", axes=(-2, -1)).reshape(3, 12)
    np.testing.assert_allclose(costs.fourier_coefficients(R, "dct", shape=(3, 4)),
                               dct2, atol=1e-12)
    fft2 = np.fft.fft2(patches).reshape(3, 12)  # numpy's unnormalised 2-D DFT
    np.testing.assert_allclose(
        costs.fourier_coefficients(R, "fft", "backward", shape=(3, 4)), fft2,
        atol=1e-12)
    np.testing.assert_allclose(costs.residual_norm(R, 1, "fft", "backward", (3, 4)),
                               np.abs(fft2).sum(1), rtol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        costs.fourier_coefficients(R, "dct", shape=(5, 5))


def test_matrix_form_agrees_with_the_image_cost_family():
    from rcot_lib.image_costs import FrotCost

    g = torch.Generator().manual_seed(4)
    x, y = torch.rand(3, 1, 4, 4, generator=g), torch.rand(3, 1, 4, 4, generator=g)
    X, Y = x.flatten(1).double().numpy(), y.flatten(1).double().numpy()
    for transform in ("dct", "fft", "identity"):
        for p in (0.5, 1.0, 2.0):
            c = FrotCost("euclidean", 0.7, p, transform, "backward", "sum")(x, y)
            C = costs.frot_cost_matrix(X, Y, lam=0.7, p=p, transform=transform,
                                       norm="backward", shape=(4, 4))
            np.testing.assert_allclose(np.diag(C), c.numpy(), rtol=1e-4)


@pytest.mark.parametrize("transform", ["dct", "fft", "identity"])
@pytest.mark.parametrize("base", ["euclidean", "sqeuclidean", "none"])
def test_pointwise_torch_cost_matches_the_matrix_form(transform, base):
    rng = np.random.default_rng(10)
    X, Y = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    for p, norm in ((0.5, "ortho"), (1.0, "backward"), (1.3, "ortho"), (2.0, "ortho")):
        C = costs.frot_cost_matrix(X, Y, 0.6, p, transform, norm, base)
        c = costs.frot_cost_pointwise(torch.tensor(X), torch.tensor(Y), 0.6, p, base,
                                      transform, norm)
        np.testing.assert_allclose(c.numpy(), np.diag(C), rtol=1e-6)


def test_pointwise_gradient_is_finite_for_every_p():
    x = torch.zeros(4, 2, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.3, -2.0]],
                     dtype=torch.float64)
    for p in (0.5, 1.0, 1.5, 2.0):
        (g,) = torch.autograd.grad(costs.frot_cost_pointwise(x, y, 1.0, p).sum(), x)
        assert torch.isfinite(g).all()


def test_exponent_and_settings_are_validated():
    X = np.zeros((2, 2))
    for p in (0.4, 2.5, -1):
        with pytest.raises(ValueError, match=r"outside \[0.5, 2.0\]"):
            costs.frot_cost_matrix(X, X, p=p)
        with pytest.raises(ValueError, match="outside"):
            costs.residual_norm(X, p)
    with pytest.raises(ValueError, match="base"):
        costs.frot_cost_matrix(X, X, base="manhattan")
    with pytest.raises(ValueError, match="outside"):
        costs.frot_cost_pointwise(torch.zeros(1, 2), torch.zeros(1, 2), p=3)
    with pytest.raises(ValueError, match="transform"):
        costs.frot_cost_pointwise(torch.zeros(1, 2), torch.zeros(1, 2), transform="x")
