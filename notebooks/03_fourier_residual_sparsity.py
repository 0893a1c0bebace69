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
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Degradations and the Fourier sparsity of their residuals (DA-RCOT Fig. 3)
#
# The FROT cost (Eq. 4) adds to the Euclidean distance a penalty on the Fourier
# transform of the residual, $\lambda \|\mathcal F(x - y)\|_p$, with $p = 1$ for rain,
# haze, blur and low light and $p = 2$ for Gaussian noise. The reason given by DA-RCOT
# (Fig. 3) and by SOT is an observation about data: the residual of most degradations
# is *sparse in the Fourier domain*, while white noise is not. This notebook makes the
# observation, measures it, and checks it on real benchmark pairs.
#
# **You will learn** to
# - synthesise the five degradations with seeded, documented models (noise, rain,
#   haze, blur, low light) and read their equations;
# - compute residual spectra and three sparsity scores (Hoyer, Gini, top-$k$ energy)
#   and check them against closed forms;
# - reproduce Fig. 3 and turn it into numbers over many images, synthetic and real;
# - decide from the numbers which $p$ suits which degradation, and see what that
#   choice does to the cost: the two terms of Eq. 4 on real residuals, their
#   balance across $p$, normalisation and crop size;
# - test the cost directly: does exact OT under Eq. 4 pair degraded patches with
#   their own clean patches, and for which $p$?
#
# **Prerequisites**: the 2-D discrete Fourier transform and Parseval's identity; the
# FROT cost ([`docs/method.md`](../docs/method.md) section 2, notebook 01).
#
# The method, its equations and references: [`docs/method.md`](../docs/method.md).
#
# **Run time**: fast mode (`RCOT_FAST=1`: 4 images per set, 128 px crops) about 13 s on
# 2 CPU cores; full settings (50 synthetic images per degradation, the full-size real
# sets) about 2 minutes on 2 CPU cores. Nothing here needs a GPU (it would not be
# faster: the work is a few FFTs per image).
#
# It uses the real benchmark folders when `$RCOT_DATA` points at them (Rain100L,
# SOTS-outdoor, LOL, CBSD68 and Set12 with seeded noise) and the clean training
# photographs `train/clean/BSD390`; otherwise `data_samples/images` with synthetic
# degradations only.

# %% tags=["parameters"]
import rcot_lib.config

FAST = rcot_lib.config.is_fast()
DATA = None  # folder holding benchmarks/ and train/; None: $RCOT_DATA or data_samples/
SEED = 0
N_SYNTH = 4 if FAST else 50  # clean images per synthetic degradation
N_REAL = 4 if FAST else None  # pairs per real set (None: all)
CROP = 128 if FAST else None  # central crop side (None: full images); a crop keeps
# the pixel scale, so streak widths and noise statistics stay those of full images
FIG_CROP = 240 if FAST else None  # central crop of the Fig. 3 example (None: whole)
CHANNEL = "mean"  # "mean" of per-channel scores, "luma", or 0 / 1 / 2
SCORE = "fourier_hoyer"  # score of the box plots
PROGRESS = not FAST
NUM_THREADS = 1  # torch CPU threads: the FFTs here are small, one thread is fastest
PAIR_SEEDS = (0,) if FAST else (0, 1, 2)  # seeds of the pairing experiment (section 9)

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

import rcot_lib
import rcot_lib.device
from rcot_lib import cost_lab, costs, data, pairing, selfcheck, tables, viz_costs
from rcot_lib import degradations as D
from rcot_lib import spectra as S
from rcot_lib.viz_spectra import (
    plot_radial_power,
    plot_score_boxes,
    show_residual_spectra,
)
from rcot_lib.widgets import interact_or_static

rcot_lib.check_version("0.1.0")
device = rcot_lib.get_device("auto")  # everything below runs on the CPU tensors
rcot_lib.device.set_threads(NUM_THREADS)
rcot_lib.seed_all(SEED)
root = rcot_lib.config.data_root(DATA)
clean_dir = rcot_lib.config.train_dir("clean", "BSD390", root=root)
clean_files = data.list_images(clean_dir) if clean_dir else data.sample_images()
print(f"rcot_lib {rcot_lib.__version__}, fast mode {FAST}, data: {root or 'data_samples/'}")
print(f"clean images for the synthetic degradations: {len(clean_files)} in "
      f"{clean_files[0].parent}")

# %% [markdown]
# ## 1. The residual and the cost
#
# | symbol | meaning |
# |---|---|
# | $y$ | clean image, $(C, H, W)$, values in $[0, 1]$ |
# | $x$ | degraded image (the papers' input) |
# | $r = x - y$ | residual: what a restoration map must remove |
# | $\mathcal F r$ | 2-D DFT per channel, $N = HW$ coefficients $c_k$ |
# | $H, G$ | Hoyer and Gini sparsity scores of $(|c_k|)_k$, in $[0, 1]$ |
#
# Eq. 4 of DA-RCOT ([`docs/method.md`](../docs/method.md) section 2):
#
# $$c(x, y) = \|x - y\| + \lambda\, \|\mathcal F(x - y)\|_p, \qquad
#   p = \begin{cases} 2 & \text{Gaussian noise} \\ 1 & \text{rain, haze, blur,
#   low light.}\end{cases}$$
#
# With the orthonormal DFT, Parseval gives $\|\mathcal F r\|_2 = \|r\|_2$: the
# $p = 2$ term only re-weights the distance. The $p = 1$ term is different: for a fixed
# energy $\|r\|_2$ it is smallest when the energy sits in few coefficients. That is a
# sparsity prior, right exactly when the true residuals are sparse in $\mathcal F$.

# %% [markdown]
# ## 2. Five degradations, one seed
#
# `rcot_lib.degradations` synthesises each degradation on a batch, from a
# `torch.Generator` (or an int seed); ranges are drawn per image. The models:
#
# | task (label) | model | default ranges |
# |---|---|---|
# | `denoise_15/25/50` (0-2) | $x = \mathrm{clip}(y + \tfrac{\sigma}{255} n)$, $n \sim \mathcal N(0, I)$ | $\sigma$ from the name |
# | `derain` (3) | $x = \mathrm{clip}(y + S)$, $S$ = drops $\ast$ tapered line $\ast$ Gaussian | light: Rain100L-like; `heavy=True` |
# | `dehaze` (4) | $x = y\,t + A(1 - t)$, $t = e^{-\beta d}$, $d$ a smooth depth | $\beta \in [0.4, 1.5]$, $A \in [0.75, 1]$ |
# | `deblur` (5) | $x = k \ast y$, $k$ a linear or camera-shake kernel | length 7-21 px |
# | `lowlight` (6) | $x = \mathrm{Poisson}(\kappa s y^\gamma)/\kappa + \sigma_r n$ | $\gamma \in [1.3, 2]$, $s \in [0.06, 0.3]$ |
#
# The rain, haze and low-light settings were calibrated on the real sets, at full
# size: light rain on BSD images gives a mean residual of 0.024 with 15 % of pixels
# above 0.05 and a Fourier Hoyer score of 0.71 (Rain100L: 0.024, 14 %, 0.68); haze
# gives a mean input PSNR near 16 dB (SOTS-outdoor: 16.2 dB), low light near 7.6 dB
# (LOL: 7.8 dB).

# %%
clean_fig = data.center_crop(data.load_image(clean_files[0]), FIG_CROP)
rows = []
for i, task in enumerate(D.TASKS):
    if task in ("denoise_15", "denoise_50"):
        continue  # one noise level is enough for the picture
    degraded_fig = D.degrade(clean_fig, task, generator=SEED + i)
    rows.append((f"{task} (p={D.fourier_p(task)})", degraded_fig, clean_fig))
rows.append(("derain, heavy", D.degrade(clean_fig, "derain", SEED, heavy=True), clean_fig))
show_residual_spectra(rows)
plt.show()

# %% [markdown]
# Read the right column as in Fig. 3: the noise spectrum is a flat carpet; rain puts
# its energy on a line through the centre, perpendicular to the streaks (a streak is
# long in one direction, so narrow in frequency along it); haze and low light
# concentrate at the lowest frequencies (the residual is a smooth veil, or a scaled
# copy of the image); blur's residual $k \ast y - y = (k - \delta) \ast y$ follows
# the image spectrum times $|\hat k - 1|$, which vanishes at zero frequency.
#
# The radial profile of the power makes "flat" and "concentrated" quantitative:

# %%
profiles = {label.split(" ")[0]: S.radial_power(degraded - clean)
            for label, degraded, clean in rows[:-1]}
plot_radial_power(profiles)
plt.show()

# %% [markdown]
# ## 3. Measuring sparsity
#
# For magnitudes $c \in \mathbb R_{\ge 0}^N$:
#
# $$H(c) = \frac{\sqrt N - \|c\|_1 / \|c\|_2}{\sqrt N - 1}, \qquad
#   G(c) = 1 - 2 \sum_{k=1}^N \frac{c_{(k)}}{\|c\|_1}\,\frac{N - k + \tfrac12}{N},$$
#
# with $c_{(1)} \le \dots \le c_{(N)}$ (Hurley and Rickard's Gini index), and the
# share of the energy $\sum c_k^2$ in the largest 1 % and 5 % of coefficients. All are
# invariant to the scale of $r$, 0 for a flat vector and maximal for a single spike.
# We write Hoyer inline and check the library against it, and against two closed forms
# for white Gaussian noise: $|\mathcal F r|$ is Rayleigh distributed, so
# $\mathbb E|c| / \sqrt{\mathbb E c^2} = \sqrt\pi / 2$ and $H \to 1 - \sqrt\pi/2
# \approx 0.114$, $G \to 1 - 1/\sqrt 2 \approx 0.293$.

# %%
def hoyer_inline(c):
    c = np.abs(np.asarray(c, dtype=float)).ravel()
    n = c.size
    return (np.sqrt(n) - c.sum() / np.sqrt((c**2).sum())) / (np.sqrt(n) - 1)


g = torch.Generator().manual_seed(SEED)
noise = torch.randn(3, 128, 128, generator=g)
mag = S.fourier_magnitude(noise)
np.testing.assert_allclose(mag.pow(2).sum(), noise.pow(2).sum(), rtol=1e-4)  # Parseval
np.testing.assert_allclose(S.hoyer(mag[0].flatten()).item(), hoyer_inline(mag[0]),
                           rtol=1e-5)
s_noise = S.residual_scores(noise, torch.zeros_like(noise))
np.testing.assert_allclose(s_noise["fourier_hoyer"], 1 - np.sqrt(np.pi) / 2, atol=0.01)
np.testing.assert_allclose(s_noise["fourier_gini"], 1 - 1 / np.sqrt(2), atol=0.01)
print({k: round(float(v), 3) for k, v in s_noise.items()})

# %% [markdown]
# **Think!** White noise is the least structured residual there is, yet its Fourier Hoyer score is about
# 0.11, not 0. Which residual *does* score 0 in the Fourier domain? Try a single bright pixel:

# %%
spike = torch.zeros(1, 128, 128)
spike[0, 40, 70] = 1.0
print(f"one bright pixel: Fourier Hoyer {S.sparsity_scores(spike)['hoyer'].item():.3f}, "
      f"pixel Hoyer {S.sparsity_scores(spike, 'pixel')['hoyer'].item():.3f}")

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Answer.** $H(c) = 0$ exactly when all magnitudes $|c_k|$ are equal ($\|c\|_1 = \sqrt N \|c\|_2$). A single
# pixel has a perfectly flat spectrum, $|\mathcal F \delta| = 1/\sqrt N$ everywhere: Fourier Hoyer 0, pixel
# Hoyer 1. White noise has a flat spectrum only *on average*: each $|c_k|$ is a random Rayleigh variable, and
# the spread of those magnitudes gives $H \to 1 - \sqrt\pi/2 \approx 0.114$. So 0.11 is the floor of "no
# structure at all" for random residuals, and sparsity is a property of a basis: the spike is as sparse as
# possible in pixels and as dense as possible in frequencies.

# %% [markdown]
# ## 4. Scores over many images: synthetic degradations
#
# Each of the `N_SYNTH` clean images gets every degradation, image $i$ with seed
# `SEED + i` (`data.SyntheticPairs`), so the numbers are reproducible.

# %%
synthetic = {}
for task in D.TASKS:
    pairs = data.SyntheticPairs(clean_files, task, SEED, limit=N_SYNTH, crop=CROP)
    synthetic[task] = S.score_pairs(pairs, CHANNEL, progress=PROGRESS, desc=task)
pairs = data.SyntheticPairs(clean_files, "derain", SEED, limit=N_SYNTH, crop=CROP,
                            heavy=True)
synthetic["derain (heavy)"] = S.score_pairs(pairs, CHANNEL, progress=PROGRESS)
synth_means = {name: S.mean_scores(rows_) for name, rows_ in synthetic.items()}
display(Markdown(S.format_table(synth_means)))

# %%
plot_score_boxes({k: [r[SCORE] for r in v] for k, v in synthetic.items()}, SCORE)
plt.title(f"synthetic degradations, {len(synthetic['dehaze'])} images each")
plt.show()

# %% [markdown]
# ## 5. Real pairs
#
# The same scores on the real benchmark sets, when `$RCOT_DATA` is set: Rain100L
# (`rainy/` + `gt/`), SOTS-outdoor (`hazy/` + `gt/`), LOL (`low/` + `high/`), and the
# clean-only CBSD68 and Set12 with seeded noise $\sigma = 25$ (the papers' protocol).
# `data.find_pairs` matches the files by stem whatever their extension.

# %%
real = data.benchmark_sets(root, limit=N_REAL, seed=SEED, crop=CROP)
real_scores = {name: S.score_pairs(ds, CHANNEL, progress=PROGRESS, desc=name)
               for name, ds in real.items()}
real_means = {name: S.mean_scores(rows_) for name, rows_ in real_scores.items()}
if real_means:
    display(Markdown(S.format_table(real_means)))
    plot_score_boxes({k: [r[SCORE] for r in v] for k, v in real_scores.items()}, SCORE)
    plt.title("real benchmark pairs")
    plt.show()
    shown = {name: data.PairedFolder(ds.folder, limit=1, crop=FIG_CROP)
             for name, ds in real.items() if isinstance(ds, data.PairedFolder)}
    examples = [(name, *ds[0][:2]) for name, ds in shown.items()]
    show_residual_spectra(examples)
    plt.show()
else:
    print("No benchmark folder found (set RCOT_DATA): real pairs skipped, "
          "synthetic degradations of data_samples/ only.")

# %% [markdown]
# ## 6. Explore
#
# Pick a degradation, its strength (`degradations.level_params`: noise
# $\sigma = 100 \cdot$ level, haze $\beta = 0.2 + 2.6 \cdot$ level, ...), a colour
# channel and a score. The spectrum and the score follow.

# %%
def explore(task="derain", level=0.3, channel="mean", score="fourier_hoyer"):
    params = D.level_params(task, level)
    degraded = D.degrade(clean_fig, task, SEED, **params)
    ch = None if channel in ("mean", "luma") else int(channel)
    fig = show_residual_spectra([(task, degraded, clean_fig)], channel=ch)
    value = S.residual_scores(degraded, clean_fig, channel)[score]
    fig.suptitle(f"{task}, level {level:.2f}: {score} = {float(value):.3f}", y=1.02)
    return float(value)


interact_or_static(
    explore,
    presets=[{"task": "denoise_25", "level": 0.25}, {"task": "dehaze", "level": 0.6,
                                                     "score": "fourier_gini"}],
    task=list(D.TASKS), level=(0.0, 1.0, 0.05), channel=["mean", "luma", "0", "1", "2"],
    score=[f"{d}_{s}" for d in S.DOMAINS for s in S.SCORES],
)

# %% [markdown]
# ## 7. What the numbers say, and what it means for the cost

# %%
def verdict(means, group):
    noise = {k: v for k, v in means.items() if "denoise" in k or "σ" in k}
    other = {k: v for k, v in means.items() if k not in noise}
    if not noise or not other:
        return
    worst = max(v["fourier_hoyer"] for v in noise.values())
    least = min(other, key=lambda k: other[k]["fourier_hoyer"])
    ok = all(v["fourier_hoyer"] > worst for v in other.values())
    print(f"{group}: noise Fourier Hoyer <= {worst:.3f}; least sparse other: {least} "
          f"({other[least]['fourier_hoyer']:.3f}) -> noise least sparse: {ok}")


verdict(synth_means, "synthetic")
verdict(real_means, "real")

# %% [markdown]
# Noise residuals score near the Rayleigh values ($H \approx 0.11$, $G \approx 0.29$)
# at every level: white noise spreads its energy over all frequencies, and no choice
# of $p$ can find structure there. Rain, haze, blur and low light score far higher in
# the Fourier domain, though several of them are *not* sparse in the pixel domain
# (haze and low light change every pixel): the sparsity is a property of the spectrum.
#
# Two details are worth reading off the tables. Hoyer and Gini order the four sparse
# degradations differently: haze and low light put most of their energy in the DC
# term and a few low frequencies (high Hoyer, top-1 % share near 1) but keep a long
# tail of small coefficients, which the Gini index weighs more (rain scores highest on
# Gini). And blur is the least sparse of the four, and about as sparse in the pixel
# domain (edges) as in the Fourier domain: its residual $(k - \delta) \ast y$ inherits
# the spectrum of the image, which is itself only moderately sparse. Both scores put
# noise last.
#
# Back to Eq. 4. Since $\|c\|_1 / (\sqrt N \|c\|_2) = 1 - H(c)\,(1 - 1/\sqrt N)$, the
# $p = 1$ term at a fixed residual energy is a decreasing function of the Hoyer score:
# a transport map pays little for removing a residual with a sparse spectrum (rain,
# haze, ...) and much for removing one with a flat spectrum (texture that looks like
# noise). That steers the map towards the structured residuals of these degradations,
# and it is why the papers use $p = 1$ there. For noise the prior would be wrong, and
# $p = 2$ (by Parseval only a re-weighting of the distance) is the neutral choice. The
# cell below checks the identity and the two cost terms as the code computes them
# (`mean|fft2(r)|` and `sqrt(mean|fft2(r)|^2)`, unnormalised DFT), against
# `rcot_lib.costs.fourier_penalty`, the term the training loss uses.

# %%
for task in ("denoise_25", "derain", "dehaze"):
    r = D.degrade(clean_fig, task, SEED) - clean_fig
    c = torch.fft.fft2(r)  # the code's unnormalised DFT, (C, H, W)
    n = r.shape[-1] * r.shape[-2]
    p1 = c.abs().mean().item()
    p2 = c.abs().pow(2).mean().sqrt().item()
    np.testing.assert_allclose(p2, np.sqrt(n) * r.pow(2).mean().sqrt().item(), rtol=1e-4)
    np.testing.assert_allclose([p1, p2], [costs.fourier_penalty(r[None], p).item()
                                          for p in (1, 2)], rtol=1e-5)
    h = S.sparsity_scores(r)["hoyer"].item()
    ratio = (c.abs().flatten(1).sum(1) / c.abs().flatten(1).norm(dim=1) / np.sqrt(n))
    np.testing.assert_allclose(ratio.mean().item(), 1 - h * (1 - 1 / np.sqrt(n)),
                               rtol=1e-4)
    print(f"{task:11s} p=1 term {p1:8.3f}   p=2 term {p2:8.3f}   ratio {p1 / p2:.3f}"
          f"   Hoyer {h:.3f}")

# %% [markdown]
# ## 8. The two terms of Eq. 4, and which $p$ makes a residual cheap
#
# Training adds $d(x, T(x)) + \lambda \|\mathcal F r\|_p$ to the map's loss
# (`image_costs.FrotCost`, with the code's means over pixels). The widget degrades a
# 256 px crop of the clean image (task and strength as in section 6), cuts the
# residual's central `crop` and shows, from left to right: the residual; the pixel
# term $\mathrm{rms}(r)$ beside $\lambda \|\mathcal F r\|_p$ and their ratio; the
# *price* of the Fourier term per unit of the pixel term,
# $\pi(p) = (\mathrm{mean}_k |c_k|^p)^{1/p} / \mathrm{rms}(r)$ with the orthonormal
# DFT, for every $p$, against the noise residual of the same crop (and the closed
# form for white noise, $\Gamma(1 + p/2)^{1/p}$: $|c_k|$ is Rayleigh distributed);
# last, the Fourier term over the pixel term as the crop grows.
#
# Parseval fixes $\pi(2) = 1$ for every residual. Below 2, a residual whose energy
# sits in few coefficients pays less than noise of the same energy. With
# `norm="backward"` (the authors' FFT) the $p = 2$ term is exactly $\sqrt{HW}$ times
# the pixel term, 128 at 128 px: at $\lambda = 1$ the pixel term is all but invisible,
# and the balance of the two terms depends on the crop size the model is trained at.

# %%
clean_lab = data.center_crop(data.load_image(clean_files[0]), 256)


def cost_terms(task="derain", level=0.3, p=1.0, lam=1.0, norm="backward", crop=128):
    viz_costs.draw_cost_terms(clean_lab, task, level, p, lam, norm, crop, seed=SEED)


interact_or_static(
    cost_terms,
    presets=[{"task": "denoise_25", "level": 0.25, "p": 2.0, "norm": "ortho"},
             {"task": "dehaze", "p": 0.5, "crop": 32}],
    task=list(D.TASKS), level=(0.0, 1.0, 0.05), p=(0.5, 2.0, 0.05),
    lam=(0.0, 3.0, 0.1), norm=viz_costs.NORMS, crop=(32, 256, 32),
)

# %% [markdown]
# The price of each degradation's residual relative to that of `denoise_25` on the
# same image, at its default strength (below 1: cheaper than noise of the same
# energy under the $\ell_p$ term):

# %%
price_rows = cost_lab.price_table(clean_lab, D.TASKS, ps=(0.5, 1.0, 1.5), seed=SEED)
display(Markdown(tables.pivot_table(price_rows, "task", "p", "relative")))

# %% [markdown]
# Every structured residual is cheaper than noise for every $p < 2$, and the smaller
# $p$, the larger the discount; the noise levels sit at 1, whatever $p$. So *any*
# $p < 2$ makes rain, haze, blur and low light cheap relative to noise, and $p = 2$
# makes nothing cheap (Parseval). But this prices the *true* residual only. A
# transport plan weighs the true pair against every wrong one, and a wrong pair's
# residual may be cheap too. The last section asks that question directly.
#
# ## 9. Does the cost recover the pairing?
#
# `rcot_lib.pairing` cuts 128 patches of 8 x 8 pixels from the sample photographs
# (grayscale), degrades the photographs, shuffles the clean patches and solves exact
# OT (`ot.emd`) between degraded and clean patches under one member of the family
# (the 2-D transform of each patch); then it counts the degraded patches sent to their
# own clean patch. Chance is 1/128. The table: $\lambda = 1$, Euclidean base,
# orthonormal DCT, the fraction of pairs recovered (mean over `PAIR_SEEDS`).

# %%
pair_rows = pairing.pairing_sweep(ps=(0.5, 1.0, 1.5, 2.0), seeds=PAIR_SEEDS)
display(Markdown(tables.pivot_table(pair_rows, "task", "p", "recovered")))

# %% [markdown]
# Move $p$, $\lambda$ and the transform: the curve is the fraction recovered against
# $p$, the dashed line the Euclidean cost ($\lambda = 0$), and the patches on the right
# are pairs the chosen cost gets wrong (degraded, its true clean patch, the clean
# patch it was sent to).

# %%
interact_or_static(
    viz_costs.draw_pairing,
    presets=[{"task": "denoise_50", "p": 0.5}, {"task": "dehaze", "transform": "identity",
                                                "p": 0.5}],
    task=list(D.TASKS), p=(0.5, 2.0, 0.05), lam=(0.0, 3.0, 0.1),
    transform=viz_costs.TRANSFORMS,
)


# %% [markdown]
# What it shows about Eq. 4: for rain and haze, whose residuals are sparse in the
# DCT, $p \le 1$ recovers (nearly) every pair where $p = 2$ (by Parseval the plain
# Euclidean plan) misses several per cent; for white noise the order reverses and
# $p = 2$ does best, the papers' choice. Low light is the exception to the papers'
# rule: its residual is cheap (the table above), but the dark input is close to zero,
# so every candidate residual $x_i - y_j$ is close to $-y_j$. What tells the true pair
# apart is a faint agreement between $x_i$ and $y_i$, mostly in the few large
# low-frequency coefficients. With $p = 2$ the cost sees it as a correlation
# ($\|x_i - y_j\|^2 = \|x_i\|^2 + \|y_j\|^2 - 2\langle x_i, y_j\rangle$);
# a small $p$ flattens large coefficients ($|c|^p$ grows slowly there), a
# plausible reason why it loses the signal. And the basis matters: with
# `transform="identity"` and $p = 0.5$ the haze veil, which touches every pixel,
# becomes expensive and the pairing collapses.

# %% [markdown]
# ## Summary
#
# - `rcot_lib.degradations` synthesises noise, rain (light and heavy), haze, blur and
#   low light from a seed, on batches, with the labels of the DA-RCOT code; rain, haze
#   and low light are calibrated against Rain100L, SOTS-outdoor and LOL.
# - `rcot_lib.spectra` scores residuals with Hoyer, Gini and top-$k$ energy, in the
#   Fourier and pixel domains; the scores pass closed-form checks (spikes, sinusoids,
#   Rayleigh-distributed noise spectra) and are scale invariant.
# - The measured picture matches Fig. 3: Gaussian noise has the least sparse residual
#   spectrum, on synthetic data and on the real pairs; rain, haze, blur and low light
#   are strongly sparse in the Fourier domain. Hence $p = 2$ for noise, $p = 1$ for the
#   others in the FROT cost.
# - In the cost, any $p < 2$ makes the structured residuals cheaper than noise of
#   the same energy; the unnormalised $p = 2$ term is $\sqrt{HW}$ times the pixel
#   term. Exact OT between patches recovers the true pairs best with $p \le 1$ for
#   rain and haze and with $p = 2$ for noise (and, here, low light).
# - From the command line: `rcot sparsity --benchmark derain/Rain100L --json`, or
#   `rcot sparsity --clean DIR --degradation dehaze --json`.
#
# ## Exercises
#
# 1. Drop the DC coefficient ($c_0$) before scoring. Which degradation's score changes most, and why? (Hint:
#    what is the mean of a haze residual?)
# 2. Implement the $\ell_1/\ell_2$ ratio below and check
#    $\|c\|_1/(\sqrt N\|c\|_2) = 1 - H(c)(1 - 1/\sqrt N)$ on a few residuals; `selfcheck.check_l1_l2_ratio`
#    tries your function on test vectors.
# 3. Set `CHANNEL = "luma"` and rerun sections 4-5. Rain is achromatic, low light is
#    not: which scores move?
# 4. Compare the light and heavy rain scores with the real Rain100L numbers. Which
#    of the rain parameters (density, length, width, angle) moves the Fourier Hoyer
#    score most? Use `D.add_rain(x, seed, density=..., length=...)`.
#
# ## References
#
# - X. Tang, X. Hu, X. Gu, J. Sun, *Residual-Conditioned Optimal Transport*, ICML 2024. [arXiv:2405.02843](https://arxiv.org/abs/2405.02843)
# - X. Tang et al., *Degradation-Aware Residual-Conditioned Optimal Transport for Unified Image Restoration*, TPAMI 2025. [arXiv:2411.01656](https://arxiv.org/abs/2411.01656)
# - F. Wen, W. Wang, W. Yu, *Sparsity-Aware Optimal Transport for Unsupervised Restoration Learning* (SOT).
# - PyTorch: [documentation](https://pytorch.org/docs/stable/) (`torch.fft`, `torch.autograd`).

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 1: Fourier Hoyer with and without the DC coefficient (index 0 of the unshifted FFT)
dc_rows = []
for task in D.TASKS:
    r = D.degrade(clean_fig, task, SEED) - clean_fig
    mag = S.fourier_magnitude(r).flatten(1)  # (C, N), orthonormal: c_0 = sqrt(N) mean(r)
    with_dc, without_dc = S.hoyer(mag).mean().item(), S.hoyer(mag[:, 1:]).mean().item()
    dc_share = (mag[:, 0] ** 2 / mag.pow(2).sum(1)).mean().item()
    dc_rows.append((with_dc - without_dc, task))
    print(f"{task:11s} Hoyer {with_dc:.3f} -> {without_dc:.3f} without DC;  mean residual {r.mean():+.4f}, "
          f"DC holds {100 * dc_share:5.1f} % of the energy")
print(f"largest change: {max(dc_rows)[1]} ({max(dc_rows)[0]:+.3f})")

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 1.** With the orthonormal DFT, $c_0 = \sqrt N\,\overline{r}$: the DC coefficient is the
# residual's mean. Noise, rain and blur have residuals with a small mean, so their DC term is one coefficient
# among many and dropping it changes little. Haze adds a bright veil $A(1 - t)$ and low light scales the image
# down: both residuals have a large mean of one sign, and the DC coefficient holds a large share of their
# energy (the last column). Without it, what is left is the veil's slow variation and the image-dependent
# part, less concentrated, so the scores of these two fall most (the last line names the larger change).
# Part of the "sparsity" of these two is simply a brightness offset.

# %% tags=["exercise"]
def l1_l2_ratio(c):
    """Exercise 2: ||c||_1 / (sqrt(N) ||c||_2) of a coefficient vector."""
    raise NotImplementedError("exercise 2: write the ratio, then compare with S.hoyer")


selfcheck.check_l1_l2_ratio(l1_l2_ratio)


# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 2
def l1_l2_ratio(c):
    """||c||_1 / (sqrt(N) ||c||_2) of a coefficient vector (any shape, flattened)."""
    c = torch.as_tensor(c).abs().double().flatten()
    return float(c.sum() / (np.sqrt(c.numel()) * c.norm()))


selfcheck.check_l1_l2_ratio(l1_l2_ratio)
for task in ("denoise_25", "derain", "dehaze", "lowlight"):
    c = S.fourier_magnitude(D.degrade(clean_fig, task, SEED) - clean_fig)[0].flatten()
    relation = 1 - S.hoyer(c).item() * (1 - 1 / np.sqrt(c.numel()))
    print(f"{task:11s} l1/(sqrt(N) l2) = {l1_l2_ratio(c):.4f}   1 - H (1 - 1/sqrt N) = {relation:.4f}")

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 2.** Write $\rho = \|c\|_1 / (\sqrt N \|c\|_2)$. Then $\|c\|_1/\|c\|_2 = \sqrt N \rho$ and
# $H = (\sqrt N - \sqrt N \rho)/(\sqrt N - 1)$, so $\rho = 1 - H (\sqrt N - 1)/\sqrt N = 1 - H(1 - 1/\sqrt N)$.
# The $p = 1$ term of Eq. 4 at a fixed energy $\|c\|_2$ is $\sqrt N \rho\, \|c\|_2$: it falls linearly as
# the Hoyer score rises.

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 3: the scores of the luma residual against the mean of the per-channel scores
def luma_vs_mean(pairs_by_name):
    for name, pairs_ in pairs_by_name.items():
        m = {ch: S.mean_scores(S.score_pairs(pairs_, ch, progress=False)) for ch in ("mean", "luma")}
        print(f"{name:16s} " + "   ".join(
            f"{key} {m['mean'][key]:.3f} -> {m['luma'][key]:.3f}"
            for key in ("fourier_hoyer", "fourier_gini", "pixel_hoyer")))


luma_vs_mean({task: data.SyntheticPairs(clean_files, task, SEED, limit=N_SYNTH, crop=CROP)
              for task in ("denoise_25", "derain", "dehaze", "lowlight")})
luma_vs_mean(real)

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 3.** The synthetic rain residual is the same in every channel (achromatic streaks), so
# its luma residual is that residual and its scores hardly move (only where clipping at 1 makes the channels
# differ). Low light is not achromatic: the gamma acts on each channel's own values and the photon and read
# noise are drawn per channel, so the channels differ and the luma (a weighted mean of them) averages part of
# the noise away. Haze is coloured too, since its residual $(A - y)(1 - t)$ carries the image's colours.
# Noise keeps its Rayleigh scores, since a weighted sum of independent white noises is white. Read the size of
# each change above; on the real pairs, Rain100L's rain is close to achromatic as well, while LOL's low-light
# residual carries colour noise.

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 4: light and heavy rain against Rain100L, then one rain parameter at a time
fh = "fourier_hoyer"
print(f"Fourier Hoyer: light rain {synth_means['derain'][fh]:.3f}, heavy rain {synth_means['derain (heavy)'][fh]:.3f}, "
      f"Rain100L {real_means['Rain100L'][fh]:.3f}" if "Rain100L" in real_means else
      f"Fourier Hoyer: light rain {synth_means['derain'][fh]:.3f}, heavy {synth_means['derain (heavy)'][fh]:.3f} "
      "(no Rain100L: set RCOT_DATA)")
rain_clean = torch.stack([data.center_crop(data.load_image(f), 128) for f in clean_files[:N_SYNTH]])
spans = {}
for name, (low, high) in {k: D.RAIN_SETTINGS["light"][k] for k in ("density", "length", "width", "angle")}.items():
    if name == "angle":
        low = 0.0  # the range is symmetric: compare vertical streaks with the steepest slant
    scores = [S.sparsity_scores(D.add_rain(rain_clean, SEED, **{name: v}) - rain_clean)["hoyer"].mean().item()
              for v in np.linspace(low, high, 3)]
    spans[name] = max(scores) - min(scores)
    print(f"{name:8s} {low:g} .. {high:g}: Fourier Hoyer " + ", ".join(f"{v:.3f}" for v in scores))
print(f"the parameter that moves the score most over its light range: {max(spans, key=spans.get)}")

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 4.** The first line sets the synthetic rain beside the real set; then each parameter
# is swept over its light-rain range with the others drawn as usual (same seed). The rain layer is a white
# field of drops filtered by one streak kernel, so its spectrum has the shape of the kernel's: a line through
# the centre, perpendicular to the streaks. A longer streak makes that line thinner, and a wider streak
# (a stronger Gaussian blur) cuts its high frequencies: both concentrate the energy and raise the score.
# Density scales the white drop field, which leaves the shape alone, but the mean brightness added grows with
# it, and the DC term's share of the energy with it. The angle only rotates the spectral line. The last line
# names the parameter that matters most over its range on these images.
