r"""Self-checks for the notebooks' exercises: is an answer right?

Each ``check_*`` function compares an answer with the tested library (the
reference), prints one line and returns a :class:`rcot_lib.verdict.Verdict`:

- ``correct: ...`` when the answer matches the reference within a tolerance;
- ``not yet: expected about X, got Y because ...`` when it does not, with a hint.

A wrong answer never raises; ``None`` means "not answered yet" and gets a
``not yet`` verdict. A malformed answer (a string where a number is expected,
NaN, an object that is not a function) raises a ``ValueError`` that says what is
expected.

Examples
--------
>>> v = check_backward_factor(2.0, d=4)  # doctest: +ELLIPSIS
correct: with norm="backward" the p = 2 term is 2 times the Euclidean term ...
>>> bool(v), bool(check_backward_factor(4.0, d=4))  # doctest: +ELLIPSIS
not yet: expected about 2, got 4 for d = 4 because ...
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from rcot_lib.verdict import Verdict, as_number, close, unanswered, verdict

# --- notebook 01 ---------------------------------------------------------------------


def check_backward_factor(answer: float | Callable[[int], float] | None,
                          d: int | None = None) -> Verdict:
    r"""Exercise 01.1: the factor between the ``p = 2`` term with ``norm="backward"``
    and the Euclidean distance, for ``d``-dimensional vectors (Eq. 4).

    ``answer`` is a number (then ``d`` is required) or a function of ``d`` (checked
    for ``d`` = 2, 3, 8, 16). The reference is measured with
    :func:`rcot_lib.costs.frot_cost_matrix` on random vectors.
    """
    from rcot_lib.costs import frot_cost_matrix

    def measured(dim: int) -> float:
        rng = np.random.default_rng(dim)
        X, Y = rng.standard_normal((3, dim)), rng.standard_normal((4, dim))
        full = frot_cost_matrix(X, Y, lam=1.0, p=2, transform="fft", norm="backward")
        eu = frot_cost_matrix(X, Y, lam=0.0)
        return float(np.median((full - eu) / eu))

    if answer is None:
        return unanswered("the factor (a number, or a function of d)")
    if callable(answer):
        dims = (2, 3, 8, 16)
        got = [as_number(answer(k), f"answer({k})") for k in dims]
        want = [measured(k) for k in dims]
        bad = [(k, g, w) for k, g, w in zip(dims, got, want, strict=True)
               if g is None or not close(g, w, 1e-3, 1e-9)]
        if not bad:
            return verdict(True, f"your factor matches the measured one for d = "
                            f"{', '.join(map(str, dims))} (it is sqrt(d)).", want, got)
        k, g, w = bad[0]
        return verdict(False, f"expected about {w:.4g} for d = {k}, got {g} because "
                        "the factor depends on d: measure it for two sizes.", w, g)
    if d is None or int(d) < 1:
        raise ValueError("give the dimension d (a positive int) with a numeric answer")
    got, want = as_number(answer), measured(int(d))
    if close(got, want, 1e-3, 1e-9):
        return verdict(True, f'with norm="backward" the p = 2 term is {got:g} times '
                        f"the Euclidean term for d = {d} (= sqrt({d})).", want, got)
    return verdict(False, f"expected about {want:.4g}, got {got:g} for d = {d} "
                    "because the unnormalised transform multiplies every coefficient "
                    "by sqrt(d), so the 2-norm too (Parseval holds for the "
                    "orthonormal one).", want, got)


def check_lambda_threshold(
    answer: float | None, X: np.ndarray, Y: np.ndarray, p: float = 1.0,
    transform: str = "fft", norm: str = "ortho", base: str = "euclidean",
    atol: float = 0.02,
) -> Verdict:
    r"""Exercise 01.4: the smallest ``lam`` at which the exact plan under
    ``d + lam ||F r||_p`` (Eq. 4) differs from the Euclidean plan, for the points
    ``X``, ``Y`` (uniform weights). Reference:
    :func:`rcot_lib.cost_lab.plan_change_lambda`; ``atol`` allows a scan's step.
    """
    from rcot_lib.cost_lab import plan_change_lambda

    if answer is None:
        return unanswered("the first lambda at which the plan changes")
    got = as_number(answer)
    want = plan_change_lambda(X, Y, p, transform, norm, base)
    if math.isinf(want):
        return verdict(False, "the plan does not change for lambda up to 10: check "
                        "p (at p = 2 with the orthonormal transform it never does).",
                        want, got)
    if close(got, want, 0.0, atol):
        return verdict(True, f"the plan first changes at lambda = {want:.3f} "
                        f"(you found {got:.3f}).", want, got)
    why = ("the plan is still the Euclidean one there" if got < want else
           "the plan has already changed below it: scan with a finer step")
    return verdict(False, f"expected about {want:.3f}, got {got:.3f} because {why}.",
                    want, got)


# --- notebook 02 ---------------------------------------------------------------------


def check_axis_fraction(answer: float | None, R: np.ndarray, tol: float = 0.1,
                        basis: str = "dct") -> Verdict:
    r"""Exercise 02.1: the share of residuals (rows of ``R``, ``(n, 2)``) on an axis of
    the DCT basis, ``min_k |(D r)_k| < tol ||r||``. Reference:
    :func:`rcot_lib.toy2d.dct_axis_fraction`. A count (an int above 1) is read as a
    number of residuals out of ``len(R)``.
    """
    from rcot_lib.toy2d import dct_axis_fraction

    R = np.asarray(R, dtype=float)
    if R.ndim != 2 or R.shape[1] != 2:
        raise ValueError(f"R must be (n, 2) residuals, got shape {R.shape}")
    if answer is None:
        return unanswered("the share (or the number) of residuals on the axes")
    got = as_number(answer)
    if got > 1:
        got = got / len(R)
    want = dct_axis_fraction(R, tol, basis)
    if close(got, want, 0.0, 0.5 / len(R) + 1e-9):
        return verdict(True, f"{100 * want:.1f} % of the {len(R)} residuals lie on "
                        f"the {basis.upper()} axes.", want, got)
    return verdict(False, f"expected about {want:.3f}, got {got:.3f} because a "
                    f"residual counts when its smaller {basis.upper()} coefficient "
                    f"is below {tol} times its norm (the axes of the DCT are the "
                    "diagonals of the plane).", want, got)


# --- notebook 03 ---------------------------------------------------------------------


def _ratio_cases() -> list[tuple[str, torch.Tensor]]:
    gen = torch.Generator().manual_seed(0)
    noise = torch.fft.fft2(torch.randn(32, 32, generator=gen), norm="ortho").abs()
    spike = torch.zeros(64)
    spike[5] = 3.0
    return [("a flat vector", torch.full((16,), 0.5)), ("a single spike", spike),
            ("a noise spectrum", noise.flatten()),
            ("a decaying spectrum", 1.0 / torch.arange(1.0, 101.0))]


def check_l1_l2_ratio(fn: Callable | None) -> Verdict:
    r"""Exercise 03.2: a function ``c -> ||c||_1 / (sqrt(N) ||c||_2)``.

    Called on a few coefficient vectors (flat, a spike, a noise spectrum, a
    decaying spectrum) and compared with the Hoyer relation of
    :func:`rcot_lib.spectra.hoyer`:

    .. math:: \frac{\|c\|_1}{\sqrt N \|c\|_2} = 1 - H(c)\,(1 - 1/\sqrt N)
    """
    from rcot_lib.spectra import hoyer

    if fn is None:
        return unanswered("your function")
    if not callable(fn):
        raise ValueError(f"pass your function itself, not {type(fn).__name__}")
    name = getattr(fn, "__name__", "your function")
    for label, c in _ratio_cases():
        n = c.numel()
        want = 1 - float(hoyer(c)) * (1 - 1 / math.sqrt(n))
        try:
            raw = fn(c.clone())
        except NotImplementedError:
            return verdict(False, f"{name} is not written yet (it raises "
                            "NotImplementedError).")
        except Exception as exc:  # a student's bug is an answer, not a crash
            return verdict(False, f"{name} raised {type(exc).__name__}: {exc} "
                            f"on {label} (a torch tensor of shape {tuple(c.shape)}).")
        try:
            got = as_number(raw, f"{name}({label})")
        except ValueError as exc:
            return verdict(False, f"{exc} (return one number).")
        if not close(got, want, 1e-3, 1e-6):
            return verdict(False, f"expected about {want:.4f}, got {got:.4f} on "
                            f"{label} because the ratio is sum|c| / (sqrt(N) * "
                            "sqrt(sum c^2)), N the number of coefficients.", want, got)
    return verdict(True, f"{name} matches 1 - H(c)(1 - 1/sqrt(N)) on a flat vector "
                    "(1), a spike (1/sqrt(N)), a noise spectrum and a decaying one.")


# --- notebook 04 ---------------------------------------------------------------------


def check_parseval_factor(answer: float | None, lam: float = 1.0) -> Verdict:
    r"""Exercise 04.2: by what factor the cost of a residual grows from ``lam = 0`` to
    ``lam`` with the orthonormal FFT and ``p = 2`` (the noise tasks). Reference:
    :class:`rcot_lib.image_costs.FrotCost` on a random residual (Eq. 4, ``"mean"``
    reduction as in training).
    """
    from rcot_lib.image_costs import FrotCost

    if answer is None:
        return unanswered("the factor (a number)")
    got = as_number(answer)
    r = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    with_term = FrotCost("euclidean", float(lam), 2.0, "fft", "ortho", "mean")
    alone = FrotCost("euclidean", 0.0, 2.0, "fft", "ortho", "mean")
    want = float((with_term.residual_cost(r) / alone.residual_cost(r)).mean())
    if close(got, want, 1e-3, 1e-6):
        return verdict(True, f"the cost is {want:.4g} times the plain RMS at "
                        f"lambda = {lam:g}: (1 + lambda) rms(r), so only its scale "
                        "changes (Parseval).", want, got)
    return verdict(False, f"expected about {want:.4g}, got {got:g} because with the "
                    "orthonormal FFT ||F r||_2 = ||r||_2 (Parseval), in the same "
                    "mean units as the RMS.", want, got)


# --- notebook 05 ---------------------------------------------------------------------


def check_silhouette(answer: float | None, X: np.ndarray, labels: Sequence,
                     normalise: bool = False) -> Verdict:
    r"""Exercise 05.2: the mean silhouette of ``labels`` on the rows of ``X``,

    .. math:: s(i) = \frac{b(i) - a(i)}{\max(a(i), b(i))}

    (Euclidean distances; ``normalise=True`` L2-normalises the rows first, as for
    the embeddings). Reference: :func:`rcot_lib.embedding_metrics.silhouette`.
    """
    from rcot_lib.embedding_metrics import silhouette

    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(X) != len(labels):
        raise ValueError(f"X must be (n, d) with one label per row, got {X.shape} "
                         f"and {len(labels)} labels")
    if answer is None:
        return unanswered("your silhouette (a number in [-1, 1])")
    got = as_number(answer)
    want = silhouette(X, np.asarray(labels), normalise=normalise)
    if close(got, want, 0.0, 1e-3):
        return verdict(True, f"the mean silhouette is {want:.3f}.", want, got)
    hint = ("b(i) is the smallest mean distance to *another* task, a(i) leaves "
            "out the distance of i to itself")
    return verdict(False, f"expected about {want:.3f}, got {got:.3f} because {hint}.",
                    want, got)


# --- notebook 06 ---------------------------------------------------------------------


def check_gain_lambda(
    answer: float | None, x: torch.Tensor, y: torch.Tensor, gain_db: float = 2.0,
    critic_noise: float = 0.5, p: float = 1, sigma: float = 0.5, seed: int = 0,
    atol: float = 5.0,
) -> Verdict:
    r"""Exercise 06.1: the smallest ``lam`` at which the ``p``-best response to a noisy
    potential beats ``lam = 0`` by ``gain_db`` dB (linearised Eq. 8). Reference:
    :func:`rcot_lib.best_response.lambda_for_gain`; ``atol`` is the widget's step (5).
    """
    from rcot_lib.best_response import lambda_for_gain

    if answer is None:
        return unanswered("the smallest lambda that gains the dB asked for")
    got = as_number(answer)
    want = lambda_for_gain(x, y, gain_db, p, sigma, critic_noise, seed)
    if math.isinf(want):
        return verdict(False, f"no lambda up to 400 gains {gain_db:g} dB here: "
                        "try p = 1, or more critic_noise.", want, got)
    if close(got, want, 0.0, atol):
        return verdict(True, f"lambda = {want:.1f} is the first to gain {gain_db:g} "
                        f"dB at critic_noise = {critic_noise:g} (you found {got:g}).",
                        want, got)
    why = ("the gain is still below the target there" if got < want else
           "a smaller lambda already gains that much")
    return verdict(False, f"expected about {want:.1f}, got {got:g} because {why}.",
                    want, got)
