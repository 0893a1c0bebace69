# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Deriving the FROT dual: from Kantorovich to the minimax of Eq. 5
#
# **What you will learn**
#
# - how the Monge problem (Eq. 1) relaxes to Kantorovich's linear programme (Eq. 2) and its dual (Eq. 3);
# - what the $c$-transform does, and why the dual can be written with one potential (the semi-dual);
# - the *interchange step*: an infimum over points $y$, taken for every $x$, is an infimum over maps $T$,
#   which turns the dual into the minimax $\sup_\phi \inf_T \mathcal L(\phi, T)$ of Eq. 5 (and Eq. 7 with pairs);
# - that a stochastic semi-dual solved by gradient ascent reaches the exact value of POT's `ot.emd2`;
# - what the Fourier term of the FROT cost (Eq. 4) changes: with the orthonormal FFT the $p = 2$ term is
#   Parseval's re-weighting of the Euclidean distance, while $p = 1$ changes the optimal plan;
# - how the whole cost family (base distance, transform, any $p \in [0.5, 2]$, $\lambda$, normalisation)
#   moves an exact plan, on 2-D points and on 1-D signals whose true pairing is known.
#
# Every step is checked numerically on small discrete problems.
#
# **Prerequisites**: linear programming duality (weak/strong duality), NumPy; basic PyTorch autograd.
#
# The method, its equations and references: [`docs/method.md`](../docs/method.md).
#
# **Run time**: CPU fast mode (`RCOT_FAST=1`) about 11 s; CPU full about 30 s; on a GPU the same
# (everything here is tiny and runs on the CPU).
#
# **Symbols**
#
# | symbol | meaning |
# |---|---|
# | $\mu = \sum_i a_i \delta_{x_i}$, $\nu = \sum_j b_j \delta_{y_j}$ | source (degraded) and target (clean) measures |
# | $c(x, y)$, $C_{ij} = c(x_i, y_j)$ | transport cost and its matrix |
# | $P \in \Pi(a, b)$ | transport plan: $P \ge 0$, $P \mathbf 1 = a$, $P^\top \mathbf 1 = b$ |
# | $f, g$ (also $\phi$) | dual potentials on the source and target sides |
# | $g^c(x) = \min_j c(x, y_j) - g_j$ | $c$-transform of $g$ |
# | $T$ | transport map (the restoration network in the papers) |
# | $F$, $\lambda$, $p$ | Fourier transform, weight and norm of the FROT residual term |
# | $\Sigma$ | weight of the paired term (Eq. 6, 7) |

# %% tags=["parameters"]
import rcot_lib.config

FAST = rcot_lib.config.is_fast()
SEED = 0
N_SOURCE, N_TARGET = 7, 6  # the small LP of sections 1-3
LAM, P_NORM = 1.0, 1  # FROT cost weight and norm (Eq. 4)
N_SEMI = 20 if FAST else 60  # points per side for the semi-dual solver
SEMI_DUAL_STEPS = 800 if FAST else 3000
N_PLAN = 12  # points per side for the Parseval / p = 1 comparison

# %%
import matplotlib.pyplot as plt
import numpy as np
import ot
import scipy.optimize
import torch

import rcot_lib
from rcot_lib import cost_lab, costs, duality, selfcheck, viz_costs, viz_toy2d
from rcot_lib.widgets import interact_or_static

rcot_lib.check_version("0.1.0")
device = rcot_lib.get_device()
print(f"rcot_lib {rcot_lib.__version__}, POT {ot.__version__}, device {device}")
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Monge, Kantorovich and the discrete primal (Eq. 1, 2)
#
# Monge looks for a map $T$ with $T_\# \mu = \nu$ minimising $\mathbb E_\mu[c(x, T(x))]$ (Eq. 1). Between
# discrete measures with different numbers of atoms no such map may exist, so Kantorovich lets mass split
# and optimises over plans (Eq. 2):
#
# $$\mathrm{OT}_c(\mu, \nu) = \min_{P \in \Pi(a, b)} \langle C, P \rangle = \min_{P \ge 0,\ P\mathbf 1 = a,\ P^\top \mathbf 1 = b} \sum_{ij} C_{ij} P_{ij}.$$
#
# We take the FROT cost of Eq. 4, $c(x, y) = \|x - y\| + \lambda \|F(x - y)\|_p$, with the orthonormal DCT
# as $F$ on 2-D points, and solve the LP with `ot.emd`.

# %%
X = rng.standard_normal((N_SOURCE, 2))
Y = rng.standard_normal((N_TARGET, 2)) + np.array([1.5, 0.5])
a = rng.random(N_SOURCE) + 0.5
a /= a.sum()
b = rng.random(N_TARGET) + 0.5
b /= b.sum()
C = costs.frot_cost_matrix(X, Y, lam=LAM, p=P_NORM)

P, f_pot, g_pot, primal = duality.emd_with_duals(a, b, C)
print(f"primal value <C, P> = {primal:.6f}   (ot.emd2: {ot.emd2(a, b, C):.6f})")
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
viz_toy2d.plot_plan(X, Y, P, ax=axes[0], title="optimal plan (segments)")
viz_toy2d.plot_plan_matrix(P, ax=axes[1], title="P (rows: sources)")
plt.show()

# %% [markdown]
# ## 2. The dual LP and complementary slackness (Eq. 3)
#
# Lagrange multipliers $f_i$, $g_j$ for the two marginal constraints give the dual
#
# $$\max_{f, g} \ \langle a, f \rangle + \langle b, g \rangle \quad \text{s.t.} \quad f_i + g_j \le C_{ij}.$$
#
# We solve it *independently* with SciPy's LP solver (in the notation of `linprog`, minimise
# $-\langle a, f\rangle - \langle b, g\rangle$) and compare with the primal value. Strong duality says the two
# optima coincide; complementary slackness says $P_{ij} > 0 \Rightarrow f_i + g_j = C_{ij}$.

# %%
n, m = C.shape
A_ub = np.zeros((n * m, n + m))  # one row per constraint f_i + g_j <= C_ij
for i in range(n):
    for j in range(m):
        A_ub[i * m + j, i] = A_ub[i * m + j, n + j] = 1.0
res = scipy.optimize.linprog(
    -np.concatenate([a, b]), A_ub=A_ub, b_ub=C.ravel(), bounds=(None, None), method="highs"
)
f_lp, g_lp = res.x[:n], res.x[n:]
dual_lp = duality.dual_objective(f_lp, g_lp, a, b)
print(f"dual LP (scipy)  = {dual_lp:.6f}")
print(f"primal (ot.emd)  = {primal:.6f}")
np.testing.assert_allclose(dual_lp, primal, rtol=1e-8)

report = duality.complementary_slackness(P, f_pot, g_pot, C)
print(report)
assert report.max_violation < 1e-9 and report.max_gap_on_support < 1e-9

# %% [markdown]
# The dual potentials are not unique: $(f + t, g - t)$ has the same value for every constant $t$, and
# degenerate LPs admit more. So we compare *values* and *conditions*, not the vectors themselves.
#
# ## 3. The $c$-transform
#
# For a fixed $g$, the best feasible $f$ is as large as the constraints allow:
#
# $$f_i = g^c(x_i) = \min_j \; C_{ij} - g_j .$$
#
# Written inline first, then checked against the library.

# %%
g_c = np.min(C - g_pot[None, :], axis=1)  # the c-transform, inline
np.testing.assert_allclose(g_c, duality.c_transform(g_pot, C))
# at the optimum the c-transform of g reproduces f (every source row carries mass)
np.testing.assert_allclose(g_c, f_pot, atol=1e-9)
np.testing.assert_allclose(duality.c_bar_transform(f_pot, C), g_pot, atol=1e-9)
print("g^c = f and f^c = g at the optimum")

# for any other g, the semi-dual <a, g^c> + <b, g> is a lower bound of OT_c
for _ in range(3):
    g_rand = rng.standard_normal(m)
    print(f"random g: semi-dual {duality.semi_dual_objective(g_rand, a, b, C):8.4f} <= {primal:.4f}")

# %% [markdown]
# ## 4. The interchange step: from points to maps (Eq. 5)
#
# Insert the $c$-transform into the dual (continuous notation, $\phi$ for $g$):
#
# $$\mathrm{OT}_c = \sup_\phi \ \mathbb E_\mu\Big[\inf_y \, c(x, y) - \phi(y)\Big] + \mathbb E_\nu[\phi(y)].$$
#
# The infimum is taken separately for every $x$. Choosing one minimiser per $x$ *is* choosing a map
# $x \mapsto T(x)$, so (Rockafellar's interchange theorem in general, plain enumeration here)
#
# $$\mathbb E_\mu\Big[\inf_y \, c(x, y) - \phi(y)\Big] = \inf_T \ \mathbb E_\mu\big[c(x, T(x)) - \phi(T(x))\big],$$
#
# and the dual becomes the minimax of Eq. 5:
#
# $$\mathrm{OT}_c = \sup_\phi \inf_T \ \mathcal L(\phi, T), \qquad \mathcal L(\phi, T) = \mathbb E_\mu\big[c(x, T(x)) - \phi(T(x))\big] + \mathbb E_\nu[\phi(y)].$$
#
# On a discrete target a map is a function $i \mapsto T(i) \in \{1, \dots, m\}$. With 4 sources and 5 targets
# there are $5^4 = 625$ maps: we try all of them.

# %%
a4, C4 = a[:4] / a[:4].sum(), C[:4, :5]
g4 = rng.standard_normal(5)
best, T_best = duality.inf_over_maps_brute_force(g4, a4, C4)
pointwise = np.dot(a4, duality.c_transform(g4, C4))
print(f"inf over all 625 maps        = {best:.6f}  (map {T_best})")
print(f"<a, g^c> (pointwise minimum) = {pointwise:.6f}  (map {duality.best_response_map(g4, C4)})")
np.testing.assert_allclose(best, pointwise, rtol=1e-12)

# the saddle value: with phi = g*, inf_T L(phi, T) equals the OT cost
T_star = duality.best_response_map(g_pot, C)
L_star = duality.map_objective(T_star, g_pot, a, C) + np.dot(b, g_pot)
print(f"inf_T L(g*, T) = {L_star:.6f}  vs OT = {primal:.6f}")
np.testing.assert_allclose(L_star, primal, rtol=1e-9)

# %% [markdown]
# **Think!** $T^\star$ attains the saddle value, so is it an optimal transport map? A transport map must push
# $\mu$ to $\nu$. Below, the mass $T^\star$ sends to each target, $(T^\star_\# a)_j = \sum_{i:\,T^\star(i) = j} a_i$,
# beside $b$, and the number of sources whose mass the optimal plan $P$ splits. Why do they differ?

# %%
push = np.bincount(T_star, weights=a, minlength=m)
split = np.flatnonzero(np.count_nonzero(P > 1e-12, axis=1) > 1)
print("T*_# a:", np.round(push, 4))
print("b     :", np.round(b, 4))
print(f"max |T*_# a - b| = {np.abs(push - b).max():.4f};  the plan splits sources {split.tolist()}")
ties = [int(np.sum(np.isclose(C[i] - g_pot, f_pot[i], atol=1e-9))) for i in split]
print("targets tied in argmin_j C_ij - g_j for those sources:", ties)

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Answer.** The plan has to split some sources: with uneven weights $a$ and $b$ no assignment of whole atoms
# meets the target marginal, and an optimal vertex of the LP may carry up to $n + m - 1$ non-zeros on $n$ rows.
# For a split source, complementary slackness makes $C_{ij} - g_j$ equal to $f_i$ on every target $j$ it
# feeds, so $\arg\min_j$ is a tie (the last printed line) and `np.argmin` sends the *whole* of $a_i$ to the
# first of them. The value $\inf_T \mathcal L(g^\star, T)$ does not care how ties are broken, so $T^\star$
# still attains the saddle value, but its pushforward misses $b$ on the tied targets. $T^\star$ is an optimal
# map only when no source has to split; Proposition 1 asks for an atomless $\mu$ for that reason, and on
# discrete data the plan, not the map, is the solution.

# %% [markdown]
# Only *samples* enter $\mathcal L$: $x \sim \mu$ through the map and $y \sim \nu$ through the potential.
# That is why DA-RCOT trains on unpaired data (Eq. 8).
#
# **The paired form (Eq. 6, 7).** When some $x$ come with their clean image $y_x$, the cost gains
# $\Sigma \, \|T(x) - y_x\|_1$:
#
# $$\mathcal L_P(\phi, T) = \mathbb E_\mu\big[c(x, T(x)) + \Sigma\, \|T(x) - y_x\|_1 - \phi(T(x))\big] + \mathbb E_\nu[\phi(y)].$$
#
# The interchange step is unchanged (the cost is simply $c_P$); with the code's large $\Sigma = 10^4$ the
# inner minimiser is pinned to the pair, whatever $\phi$ says:

# %%
SIGMA = 1e4
pairing = rng.permutation(m)[: n] if n <= m else rng.integers(0, m, n)  # y_x for each x
L1 = np.abs(Y[None, :, :] - Y[pairing][:, None, :]).sum(-1)  # (n, m): ||y_j - y_x||_1
C_paired = C + SIGMA * L1
T_paired = duality.best_response_map(g_pot, C_paired)
print("paired targets :", pairing)
print("best response  :", T_paired)
assert np.array_equal(T_paired, pairing)

# %% [markdown]
# ## 5. A stochastic semi-dual solved by gradient ascent
#
# The semi-dual $S(g) = \sum_i a_i \min_j (C_{ij} - g_j) + \langle b, g\rangle$ is concave in $g$. Its
# (super)gradient is $b$ minus the mass the best-response map sends to each target:
#
# $$\frac{\partial S}{\partial g_j} = b_j - \sum_{i:\,T(i) = j} a_i .$$
#
# We check this formula against PyTorch autograd, then ascend with mini-batches of sources (the stochastic
# semi-dual of Genevay et al. 2016; Seguy et al. 2018 scale it up with a regularised dual) and watch
# the value climb to `ot.emd2`.

# %%
Xs = rng.standard_normal((N_SEMI, 2))
Ys = rng.standard_normal((N_SEMI, 2)) * 0.7 + 1.0
a_s, b_s = ot.unif(N_SEMI), ot.unif(N_SEMI)
C_s = costs.frot_cost_matrix(Xs, Ys, lam=LAM, p=P_NORM)
exact = ot.emd2(a_s, b_s, C_s)

g_t = torch.tensor(rng.standard_normal(N_SEMI), requires_grad=True)
S = torch.tensor(a_s) @ (torch.tensor(C_s) - g_t).min(1).values + torch.tensor(b_s) @ g_t
S.backward()
T_br = duality.best_response_map(g_t.detach().numpy(), C_s)
grad_formula = b_s - np.bincount(T_br, weights=a_s, minlength=N_SEMI)
np.testing.assert_allclose(g_t.grad.numpy(), grad_formula, atol=1e-12)
print("autograd gradient = b - mass sent by the best-response map")

g_hat, history = duality.solve_semi_dual(a_s, b_s, C_s, num_steps=SEMI_DUAL_STEPS, batch_size=8)
value = duality.semi_dual_objective(g_hat, a_s, b_s, C_s)
print(f"semi-dual by SGD: {value:.5f}   ot.emd2: {exact:.5f}   gap {100 * (exact - value) / exact:.3f} %")
assert value <= exact + 1e-9 and value > exact * 0.99
plt.figure(figsize=(5, 3))
plt.plot(history, label="semi-dual $S(g_t)$")
plt.axhline(exact, c="k", ls="--", label="ot.emd2")
plt.ylim(exact - 0.5 * abs(exact), exact + 0.1 * abs(exact))
plt.xlabel("step")
plt.legend()
plt.show()

# %% [markdown]
# ## 6. What the Fourier term does: Parseval, and $p = 1$
#
# With the unitary (orthonormal) transform, Parseval's identity gives $\|F r\|_2 = \|r\|_2$, so for
# $p = 2$ the FROT cost is $(1 + \lambda)\,\|x - y\|$: a constant multiple of the Euclidean cost, with the
# same optimal plan. With the unnormalised FFT (`norm="backward"`, what the authors' code uses) the factor
# is $1 + \lambda \sqrt d$ — still the same plan. Only $p \ne 2$ changes the geometry; $p = 1$ prefers
# residuals that are sparse in the Fourier basis.

# %%
Xp = rng.standard_normal((N_PLAN, 2))
Yp = rng.standard_normal((N_PLAN, 2)) + np.array([1.0, 0.0])
euclid = costs.frot_cost_matrix(Xp, Yp, lam=0.0)
fft2_ortho = costs.frot_cost_matrix(Xp, Yp, lam=LAM, p=2, transform="fft", norm="ortho")
np.testing.assert_allclose(fft2_ortho, (1 + LAM) * euclid, rtol=1e-12)  # Parseval
plans = {
    "Euclidean": ot.emd(ot.unif(N_PLAN), ot.unif(N_PLAN), euclid),
    "p = 2 (ortho FFT)": ot.emd(ot.unif(N_PLAN), ot.unif(N_PLAN), fft2_ortho),
    "p = 1 (ortho FFT)": ot.emd(
        ot.unif(N_PLAN), ot.unif(N_PLAN),
        costs.frot_cost_matrix(Xp, Yp, lam=3.0, p=1, transform="fft", norm="ortho"),
    ),
}
same_p2 = np.allclose(plans["Euclidean"], plans["p = 2 (ortho FFT)"])
moved_p1 = int(np.sum(np.abs(plans["Euclidean"] - plans["p = 1 (ortho FFT)"]) > 1e-12) // 2)
print(f"p = 2 plan equals the Euclidean plan: {same_p2};  p = 1 reassigns {moved_p1} sources")
assert same_p2 and moved_p1 > 0
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, (name, plan) in zip(axes, plans.items(), strict=True):
    viz_toy2d.plot_plan(Xp, Yp, plan, ax=ax, title=name)
plt.show()

# %% [markdown]
# ## 7. A lab for the cost family
#
# Eq. 4 has more settings than $p \in \{1, 2\}$: the base distance $d$ ($\|r\|$ as in Eq. 4, $\|r\|^2$,
# or none), the transform $F$ (DCT, DFT, or the identity: a plain $\ell_p$ penalty on the residual), any
# $p \in [0.5, 2]$ (below 1, $\|\cdot\|_p$ is a quasi-norm: the triangle inequality fails and the cost is
# no longer convex in $r$), $\lambda$ and the normalisation. The widget solves the exact problem with
# `ot.emd` for any choice and shows the plan with its cost $\langle C, P\rangle$, the pushforward against the
# target marginal, and how much of the mass travels on residuals that are sparse in the basis of $F$ (for
# signals: 2 of the 16 coefficients hold 99 % of the residual's energy; in 2-D: one coefficient does, so the
# residual lies near an axis of the basis).
#
# Two data sets. **points**: 12 points from two Gaussian clouds as in section 6, with uneven source weights,
# so that the plan has to split some sources: the plan's pushforward $P^\top \mathbf 1$ always equals $b$
# (a constraint), the map $i \mapsto \arg\max_j P_{ij}$ read off the plan does not (section 4's caveat).
# **signals**: 12 random walks of length $d = 16$ as targets; each source is one of them plus a *veil* (an
# offset and a slow ramp, the first two DCT basis vectors, like haze or low light) plus faint noise. The
# planted pairing is a feasible plan, so we can ask whether the cost finds it. Over eight seeds the
# Euclidean cost puts 69 % of the mass on the planted pairs, $p = 1$ with the DCT 97 %, $p = 0.5$ all of it
# (`cost_lab.sample_signals`); the widget shows seed 1, where the Euclidean plan keeps only 38 %.
#
# Things to try: with the Euclidean base and the orthonormal transform, $p = 2$ never moves the plan, whatever
# $\lambda$ (Parseval); with the squared base it does. On the signals, lower $p$ from 2 to 0.5, then switch
# the transform to `fft` or `identity`: the veil is sparse in the DCT only.

# %%
interact_or_static(
    viz_costs.draw_cost_lab,
    presets=[{"data": "signals", "lam": 0.0}, {"data": "signals", "p": 0.5}],
    data=["points", "signals"], transform=viz_costs.TRANSFORMS, base=viz_costs.BASES,
    p=(0.5, 2.0, 0.05), lam=(0.0, 5.0, 0.1), norm=viz_costs.NORMS,
)

# %% [markdown]
# ## Summary
#
# - The discrete Kantorovich problem (Eq. 2) and its dual (Eq. 3) have the same value; at the optimum the
#   dual constraint is tight wherever the plan carries mass (complementary slackness).
# - The $c$-transform turns any target potential into the best source potential; at the optimum it maps
#   $g^\star$ back to $f^\star$. The semi-dual is a lower bound for every $g$.
# - The inner $\inf_y$ taken for every $x$ equals an $\inf$ over maps $T$ (the interchange step), giving the
#   minimax $\sup_\phi \inf_T \mathcal L(\phi, T)$ of Eq. 5, which needs only unpaired samples; a paired
#   $\ell_1$ term with large $\Sigma$ (Eq. 7) pins $T(x)$ to its ground truth.
# - Gradient ascent on a stochastic semi-dual reaches POT's exact value from below.
# - With the orthonormal FFT the $p = 2$ Fourier term is the Euclidean term (Parseval): it rescales the cost
#   and leaves the plan unchanged. Only $p \ne 2$ (or a squared base) changes which residuals are cheap; the
#   smaller $p$, the more a residual that is sparse in the basis of $F$ is preferred.
#
# ## Exercises
#
# 1. Show that with `norm="backward"` on $d$-dimensional vectors the $p = 2$ term equals $\sqrt d$ times the
#    Euclidean term, and check it numerically with `costs.frot_cost_matrix` (first cell below; then check
#    your factor with `selfcheck.check_backward_factor`).
# 2. Make the problem degenerate (two identical target points) and compare the duals of `ot.emd` with those
#    of `linprog` (`duality.solve_dual_lp`). Do they agree? Do the values?
# 3. Replace Adam in `duality.solve_semi_dual` by plain SGD with step $\eta/\sqrt t$ (`optimizer="sgd"`) and
#    compare the gaps after the same number of steps.
# 4. For which $\lambda$ does the $p = 1$ plan of section 6 first differ from the Euclidean one? Check your
#    answer with `selfcheck.check_lambda_threshold(your_lambda, Xp, Yp)`.
# 5. In the lab, take the signals and `transform="fft"`: why does the DFT not find the veil sparse, although
#    it is made of two cosines? (Hint: the DFT's basis is periodic; is a ramp?)
#
# ## References
#
# - X. Tang, X. Hu, X. Gu, J. Sun, *Residual-Conditioned Optimal Transport*, ICML 2024. [arXiv:2405.02843](https://arxiv.org/abs/2405.02843)
# - X. Tang et al., *Degradation-Aware Residual-Conditioned Optimal Transport for Unified Image Restoration*, TPAMI 2025. [arXiv:2411.01656](https://arxiv.org/abs/2411.01656)
# - G. Peyré, M. Cuturi, *Computational Optimal Transport*, 2019. [arXiv:1803.00567](https://arxiv.org/abs/1803.00567)
# - A. Genevay, M. Cuturi, G. Peyré, F. Bach, *Stochastic Optimization for Large-scale Optimal Transport*, NeurIPS 2016. [arXiv:1605.08527](https://arxiv.org/abs/1605.08527)
# - V. Seguy et al., *Large-Scale Optimal Transport and Mapping Estimation*, ICLR 2018. [arXiv:1711.02283](https://arxiv.org/abs/1711.02283)
# - POT, Python Optimal Transport: [documentation](https://pythonot.github.io) (`ot.emd`, `ot.emd2`, `ot.sinkhorn`).

# %% tags=["exercise"]
# Exercise 1, a start: compare the two matrices for d = 4, then fill in the factor
Xe, Ye = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
back = costs.frot_cost_matrix(Xe, Ye, lam=1.0, p=2, transform="fft", norm="backward")
eu = costs.frot_cost_matrix(Xe, Ye, lam=0.0)
print("ratio of the Fourier term to the Euclidean term:", np.unique(np.round((back - eu) / eu, 6)))
my_factor = None  # your factor for d = 4 (or a function of d)
selfcheck.check_backward_factor(my_factor, d=4)

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 1. The unnormalised DFT is sqrt(d) times the unitary one, F_b = sqrt(d) F_o,
# so ||F_b r||_2 = sqrt(d) ||F_o r||_2 = sqrt(d) ||r||_2 by Parseval: the cost is (1 + lam sqrt(d)) ||r||.
for d in (2, 4, 9, 16):
    Xd, Yd = rng.standard_normal((3, d)), rng.standard_normal((3, d))
    back = costs.frot_cost_matrix(Xd, Yd, lam=1.0, p=2, transform="fft", norm="backward")
    eu = costs.frot_cost_matrix(Xd, Yd, lam=0.0)
    print(f"d = {d:2d}: Fourier term / Euclidean term = {np.unique(np.round((back - eu) / eu, 6))}, "
          f"sqrt(d) = {np.sqrt(d):.6f}")
selfcheck.check_backward_factor(np.sqrt)

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 2: repeat target 0 (two identical columns of C); then also make the weights uniform
Yd = np.vstack([Y, Y[:1]])
Cd = costs.frot_cost_matrix(X, Yd, lam=LAM, p=P_NORM)
bd = np.append(b, b[0]) / (1 + b[0])
for label, (a_d, b_d) in {"repeated point": (a, bd), "and uniform weights": (ot.unif(n), ot.unif(m + 1))}.items():
    Pd, f_emd, g_emd, value_emd = duality.emd_with_duals(a_d, b_d, Cd)
    f_lin, g_lin, value_lin = duality.solve_dual_lp(a_d, b_d, Cd)
    t = np.mean(f_emd - f_lin)  # the free shift (f + t, g - t)
    differ = max(np.abs(f_emd - f_lin - t).max(), np.abs(g_emd - g_lin + t).max())
    slack = [duality.complementary_slackness(Pd, f_, g_, Cd) for f_, g_ in ((f_emd, g_emd), (f_lin, g_lin))]
    print(f"{label}: values differ by {abs(value_emd - value_lin):.1e}; duals differ by {differ:.1e} "
          f"after the shift; plan support {np.count_nonzero(Pd > 1e-12)} of n + m - 1 = {n + m}; "
          f"both dual pairs optimal: {all(r.max_violation < 1e-9 and r.max_gap_on_support < 1e-9 for r in slack)}")
    print(f"    potentials of the two copies: {g_emd[0]:.4f} = {g_emd[-1]:.4f} (emd), "
          f"{g_lin[0]:.4f} = {g_lin[-1]:.4f} (linprog)")

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 2.** The values always agree: strong duality holds for every LP with a finite
# optimum. The repeated point makes the *plan* non-unique (mass can move between the two copies at no cost),
# not the duals: the copies' constraints are identical, so both copies get the same potential, and the first
# line says how far the two solvers' duals are apart. Several optimal *duals* come from a *degenerate primal*:
# an optimal vertex with fewer than $n + m - 1$ non-zeros, as with uniform weights, where the plan is close to
# a permutation (second line). Then the two solvers may return dual vectors that differ by more than the shift
# $(f + t, g - t)$, and both are optimal: feasible and complementary to the same plan. Compare values and
# optimality conditions, never the dual vectors themselves.

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 3: the same problem, steps and batch size, two optimisers
for opt in ("adam", "sgd"):
    g_opt, hist = duality.solve_semi_dual(a_s, b_s, C_s, num_steps=SEMI_DUAL_STEPS,
                                          batch_size=8, optimizer=opt)
    gaps = [100 * (exact - max(hist[:k])) / exact for k in (100, SEMI_DUAL_STEPS // 2, SEMI_DUAL_STEPS)]
    print(f"{opt:4s}: gap to ot.emd2 after 100 / {SEMI_DUAL_STEPS // 2} / {SEMI_DUAL_STEPS} steps: "
          + " / ".join(f"{v:.3f} %" for v in gaps))

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 3.** Read the two lines above. The semi-dual is concave but piecewise linear, so its
# supergradient does not shrink near the optimum: plain SGD needs a decaying step, and $\eta/\sqrt t$ is the
# classical choice, with an error that decays like $1/\sqrt t$. Adam divides each coordinate's step by a
# running scale of its gradient, and the cosine schedule takes the step to zero at the end, which lets it
# settle on the optimal kink; with mini-batches of 8 sources both see noisy gradients.

# %% tags=["exercise"]
# Exercise 4: your answer (the smallest lambda at which the p = 1 plan leaves the Euclidean one)
my_lambda = None
selfcheck.check_lambda_threshold(my_lambda, Xp, Yp)

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 4: scan lambda in steps of 0.01 and compare each p = 1 plan with the Euclidean one
def p1_plan(lam):
    C_lam = costs.frot_cost_matrix(Xp, Yp, lam=lam, p=1, transform="fft", norm="ortho")
    return ot.emd(ot.unif(N_PLAN), ot.unif(N_PLAN), C_lam)


lams = np.arange(0.0, 3.0 + 1e-9, 0.01)
first = next(lam for lam in lams if not np.allclose(p1_plan(lam), plans["Euclidean"]))
print(f"the p = 1 plan first differs from the Euclidean plan at lambda = {first:.2f}")
selfcheck.check_lambda_threshold(first, Xp, Yp)

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 5: the veil's energy in its two largest coefficients, DCT against DFT
d = 16
veil = 1.0 * costs.dct_matrix(d)[0] + 1.0 * costs.dct_matrix(d)[1]  # an offset and a slow ramp
for transform in ("dct", "fft"):
    energy = np.sort(np.abs(costs.fourier_coefficients(veil[None], transform, "ortho"))[0] ** 2)[::-1]
    print(f"{transform}: the 2 largest of {d} coefficients hold {100 * energy[:2].sum() / energy.sum():5.1f} % "
          f"of the veil's energy; 99 % needs {int(np.searchsorted(np.cumsum(energy) / energy.sum(), 0.99)) + 1}")
lab = cost_lab.lab_problem("signals", seed=1)  # the widget's signals
for transform in ("dct", "fft"):
    s = cost_lab.plan_summary(lab["X"], lab["Y"], lab["a"], lab["b"], lam=1.0, p=1.0,
                              transform=transform, truth=lab["truth"])
    print(f"p = 1 with the {transform}: {100 * s['on_truth']:.0f} % of the mass on the planted pairs")

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 5.** The DFT's basis vectors are periodic: the DFT of a signal is the Fourier series
# of its periodic extension. The offset is fine (it is the DFT's constant vector), but the ramp, repeated, is
# a sawtooth with a jump at the wrap-around, whose DFT coefficients decay only like $1/k$: its energy spreads
# over every frequency (the first printed line for `fft`). The DCT-II is the DFT of the *even* (mirrored)
# extension, which has no jump, and its second basis vector is a half period of a cosine, which the DFT does
# not contain: "two cosines" of the DCT are not two frequencies of the DFT. So the $p = 1$ term under the DFT
# sees the veil as dense, no cheaper than any other residual, and the plan finds fewer planted pairs (the last
# two lines).
