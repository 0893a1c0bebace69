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
# # 05 · What the residual embedding knows: t-SNE of $e_3$ (DA-RCOT Fig. 4)
#
# DA-RCOT restores an image in two passes: a first estimate $x_0 = G(x)$, then a second
# pass conditioned on embeddings of the residual $r_0 = x - x_0$ (Eq. 14-15). The paper
# claims that the dense residual embedding $e_3$ *knows the degradation*: in its Fig. 4,
# a t-SNE of $e_3$ for noisy, rainy and hazy images shows one cluster per task, with the
# three noise levels side by side in level order, while an embedding of the degraded
# image itself (PromptIR's prompts) mixes them.
#
# **You will learn** to
# - extract $e_3$ and two baselines without the residual (the generator's encoder
#   feature of $x$, and the REGM encoder applied to $x$ itself) for a few hundred
#   degraded images;
# - draw the t-SNE panels, and read them with care;
# - measure what the picture suggests with scores computed on the embeddings themselves:
#   silhouette, $k$-NN task accuracy and the order of the noise levels.
#
# **Prerequisites**: the two-pass map and the contrastive loss ([`docs/method.md`](../docs/method.md) section 5,
# notebook 04); what t-SNE does (any introduction).
#
# The method, its equations and references: [`docs/method.md`](../docs/method.md).
#
# **Run time**: fast mode (`RCOT_FAST=1`, 20 images per task, 64 px crops) about 15 s
# on 2 CPU cores; full settings (100 per task, 128 px crops) about 2 minutes on 2 CPU
# cores; on a GPU the extraction takes seconds and t-SNE (CPU) dominates.
#
# It uses the shipped checkpoint `data_samples/checkpoints/darcot_small_allinone.pt`
# and the real benchmark images when `$RCOT_DATA` points at them (Rain100L, SOTS-outdoor,
# CBSD68 + seeded noise); otherwise synthetic degradations of `data_samples/images`.

# %% tags=["parameters"]
import rcot_lib.config

FAST = rcot_lib.config.is_fast()
CHECKPOINT = rcot_lib.config.CHECKPOINTS_DIR / "darcot_small_allinone.pt"
DATA = None  # folder holding benchmarks/; None: $RCOT_DATA, else data_samples/
TASKS = ("denoise_15", "denoise_25", "denoise_50", "derain", "dehaze")
PER_TASK = 20 if FAST else 100  # images per task (the paper: 100 per noise level, 300)
SIZE = 64 if FAST else 128  # crop side in pixels; e3 is (C3, SIZE/8, SIZE/8)
POOL = "mean"  # pooling of the figure: "mean", "flatten" (the space of Eq. 16), "meanstd"
PERPLEXITY = 10 if FAST else 30
PERPLEXITIES = (5, 10) if FAST else (10, 30, 50)  # choices of the widget
TSNE_ITERS = 300 if FAST else 1000
SEED = 0
BATCH_SIZE = 16
DEVICE = "auto"

# %%
import matplotlib.pyplot as plt
import numpy as np

import rcot_lib
from rcot_lib import embeddings as E
from rcot_lib import selfcheck
from rcot_lib.embedding_images import degraded_set
from rcot_lib.viz import show_images
from rcot_lib.viz_embeddings import plot_tsne, plot_tsne_panels
from rcot_lib.widgets import interact_or_static

rcot_lib.check_version("0.1.0")
device = rcot_lib.get_device(DEVICE)
rcot_lib.seed_all(SEED)
print(f"rcot_lib {rcot_lib.__version__}, device {device}, fast mode {FAST}")

# %% [markdown]
# ## 1. Two embeddings of one degraded image
#
# | symbol | meaning |
# |---|---|
# | $x$ | degraded image, $(3, S, S)$ crop |
# | $G$, $\mathcal{E}_G$ | the generator and its encoder (pass 1) |
# | $r_0 = x - G(x)$ | transport residual of pass 1 |
# | $\mathcal{E}$ | encoder of the REGM (residual embedding generation module, Eq. 15) |
# | $e_3 = \mathcal{E}(r_0)$ | dense residual embedding, $(C_3, S/8, S/8)$ |
# | $b = \mathcal{E}_G(x)_{\text{deepest}}$ | baseline: the deepest encoder feature of $x$, same scale |
# | $\mathcal{E}(x)$ | same-width baseline: the REGM encoder applied to $x$ instead of $r_0$ |
# | $z = \mathrm{pool}(\cdot)$ | one vector per image |
#
# The paper compares $e_3$ with PromptIR's prompt embeddings. PromptIR is another
# network, trained otherwise; a fair comparison inside this kit keeps everything but the
# residual fixed. Two baselines do that, each going through the same pooling as $e_3$:
#
# - the **baseline** $b$: the same trained map's deepest encoder feature of $x$, at the
#   same scale as $e_3$ (but twice its width in `cpu-small`: 256 channels against 128);
# - the **same-width baseline** $\mathcal{E}(x)$: the very network that makes $e_3$,
#   applied to $x$ instead of $r_0$. Width, scale and weights are those of $e_3$; only the
#   input differs, so whatever $e_3$ gains over it is the residual's doing.
#
# **Pooling.** Two reasonable ways to turn a $(C, S/8, S/8)$ feature map into a vector:
#
# - `"mean"` (global average pooling, $C$ numbers, the default): a degradation is a
#   *global, stationary* property of an image (a noise level, a haze density, a rain
#   density), while the layout of the content is not; averaging over positions keeps
#   the first and drops the second. It is also how PromptIR turns features into prompt
#   weights, so the baseline plays PromptIR's role like for like.
# - `"flatten"` ($C \cdot S^2/64$ numbers): the space in which the contrastive loss
#   (Eq. 16) compares $e_3$, L2-normalised, $z_i \cdot z_j / \tau$. Two crops are then
#   compared position by position, so content layout weighs in.
#
# Both are computed from one extraction and scored below. Flattening needs one image
# size, so every image is an $S \times S$ crop at native resolution: cropping, not
# resizing, since downscaling would average the noise away and thin the rain streaks.

# %%
T, note = E.load_for_embedding(str(CHECKPOINT), device, SEED)
print(note)
if not CHECKPOINT.is_file():
    print("!! The shipped checkpoint is missing: the map below is UNTRAINED, so the "
          "figures and scores only show the pipeline, not the method.")
print(f"condition: {T.condition}, backbone: {T.cfg.backbone}, dim {T.cfg.dim}")

# %% [markdown]
# ## 2. The degraded images
#
# Rainy and hazy images are the real degraded sides of Rain100L and SOTS-outdoor; noisy
# images are CBSD68 crops with seeded Gaussian noise. A folder with fewer files than
# `PER_TASK` is reused with other crop positions (`sources` says how many files).

# %%
images = degraded_set(PER_TASK, TASKS, SIZE, SEED, root=DATA, progress=not FAST)
print("images per task:", images.counts())
for task, src in images.sources.items():
    print(f"  {task:11s} {src}")
first = [int(np.flatnonzero(images.tasks == t)[0]) for t in TASKS]
show_images([images.images[i] for i in first], titles=list(TASKS), size=2.2)
plt.show()

# %% [markdown]
# ## 3. Extraction
#
# One pass-1 encoder run per batch gives all three: the baseline is its deepest feature,
# $e_3$ is the REGM encoding of $r_0 = x - G(x)$ (exactly what `T.embed(x)` returns), and
# the same-width baseline is the REGM encoding of $x$.
# We keep the flattened maps; `repool` derives the other poolings from them.

# %%
flat = E.extract(T, images.images, E.KINDS, "flatten", BATCH_SIZE, device,
                 progress=not FAST)
by_pool = {p: {k: E.repool(X, SIZE // 8, p) for k, X in flat.items()}
           for p in ("mean", "flatten")}
features = by_pool[POOL] if POOL in by_pool else {
    k: E.repool(X, SIZE // 8, POOL) for k, X in flat.items()}
for pool_name, feats in by_pool.items():
    for kind, X in feats.items():
        print(f"{pool_name:8s} {kind:9s} {X.shape[0]} images x {X.shape[1]} numbers")

# %% [markdown]
# ## 4. Scores on the embeddings, not on the picture
#
# t-SNE keeps neighbourhoods, not distances: cluster sizes, gaps between clusters and
# positions of clusters in the 2-D map mean little, and they change with the perplexity
# and the seed. So the claims are measured on the embeddings $z$ themselves, after L2
# normalisation (the cosine geometry of Eq. 16):
#
# - **silhouette** by task: $s(i) = \frac{b(i) - a(i)}{\max(a(i), b(i))}$, with $a(i)$
#   the mean distance to the own task and $b(i)$ to the nearest other task; 1 is tight,
#   separated clusters, 0 overlapping ones; "(merged)" counts the three noise levels
#   as one class, since the paper expects them *near* each other;
# - **5-NN accuracy**: stratified 5-fold cross-validated accuracy of a 5-nearest-neighbour
#   task classifier (chance: 1/number of tasks);
# - **noise levels ordered**: are the centroids of $\sigma = 15, 25, 50$ monotone along
#   the first principal direction of the noise embeddings (in either direction)?

# %%
scores_by_pool = {p: {k: E.embedding_scores(X, images.tasks, seed=SEED)
                      for k, X in feats.items()} for p, feats in by_pool.items()}
scores = scores_by_pool.get(POOL) or {
    k: E.embedding_scores(X, images.tasks, seed=SEED) for k, X in features.items()}
print(f"{'pool':8s} {'embedding':10s} {'silhouette':>10s} {'(merged)':>9s} "
      f"{'5-NN acc.':>10s} {'chance':>7s}  noise levels")
for pool_name, table in scores_by_pool.items():
    for kind, s in table.items():
        merged = s["silhouette_levels_merged"]
        print(f"{pool_name:8s} {kind:10s} {s['silhouette']:10.3f} "
              f"{merged if merged is None else round(merged, 3)!s:>9s} "
              f"{s['knn_accuracy']:10.3f} {s['knn_chance']:7.2f}  "
              f"{'ordered' if s['noise_levels_ordered'] else 'not ordered'}")

# %% [markdown]
# **Think!** An embedding can have a high 5-NN accuracy and a modest silhouette, or the other way round.
# How can both hold? What does each score look at?

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Answer.** The 5-NN accuracy looks only at each image's five nearest neighbours: it is high when images of
# one task are *locally* together, even if a task forms several small clumps, or a long thin cloud, or sits
# close to another task's cloud. The silhouette compares *mean* distances, to the whole own task and to the
# whole nearest other task: spread-out or multi-clump tasks and touching clouds pull it down although every
# image's neighbours agree. The three noise levels are the usual case here: near each other by design, so
# they lower the silhouette by task (hence the "(merged)" column) while 5-NN may still tell them apart.

# %% [markdown]
# The level order, computed by hand and checked against the library: centre the
# normalised noise embeddings, take the first right singular vector $u$, project the
# three centroids on it.

# %%
LEVELS = tuple(t for t in TASKS if t.startswith("denoise_"))
noise = np.isin(images.tasks, LEVELS)
if len(LEVELS) >= 2:
    Z = E.l2_normalise(features["residual"][noise])
    Z = Z - Z.mean(axis=0)
    u = np.linalg.svd(Z, full_matrices=False)[2][0]
    coords = np.array([Z[images.tasks[noise] == t].mean(0) @ u for t in LEVELS])
    ordered, lib_coords = E.level_order(features["residual"], images.tasks, LEVELS)
    np.testing.assert_allclose(np.abs(coords), np.abs(lib_coords), rtol=1e-6, atol=1e-9)
    print(f"centroids along u {LEVELS}:", np.round(coords, 4), "->", ordered)

# %% [markdown]
# ## 5. The two t-SNE panels
#
# Same images, same t-SNE settings (PCA to 50 dimensions, PCA initialisation, fixed
# seed); the noise levels are drawn light to dark blue.

# %%
cache = E.TsneCache(features, images.tasks, SEED, TSNE_ITERS)
names = E.KIND_LABELS
fig = plot_tsne_panels(
    {names[k]: cache.get(k, PERPLEXITY) for k in E.KINDS},
    {names[k]: scores[k] for k in E.KINDS},
    suptitle=f"t-SNE of {len(images.tasks)} degraded images ({POOL} pooling), "
    f"perplexity {PERPLEXITY}",
)
plt.show()

# %% [markdown]
# ## 6. Explore: perplexity, embedding, tasks
#
# Each setting's t-SNE is computed once and cached, so going back is instant. Things to
# look for: do the clusters survive every perplexity? Restricted to the noise levels,
# does the residual embedding still place $\sigma = 25$ between 15 and 50?

# %%
SUBSETS = {"all": TASKS, "noise levels": LEVELS or TASKS,
           "one of each task": tuple(t for t in TASKS if t not in LEVELS[::2])}


def draw(perplexity=PERPLEXITY, embedding="all", tasks="all"):
    kinds = E.KINDS if embedding == "all" else (embedding,)
    fig, axes = plt.subplots(1, len(kinds), figsize=(4.8 * len(kinds), 4.6),
                             squeeze=False)
    for ax, kind in zip(axes.flat, kinds, strict=True):
        Y, t = cache.get(kind, perplexity, SUBSETS[tasks])
        plot_tsne(Y, t, ax=ax, title=f"{names[kind]}\nperplexity {perplexity}, {tasks}")
    fig.tight_layout()


interact_or_static(
    draw,
    presets=[{"tasks": "noise levels"}, {"perplexity": PERPLEXITIES[0], "embedding": "residual"}],
    perplexity=list(PERPLEXITIES),
    embedding=["all", *E.KINDS],
    tasks=list(SUBSETS),
)

# %% [markdown]
# ## 7. What the figure does and does not show
#
# - It shows **neighbourhoods**: which images are each other's nearest neighbours in
#   the embedding. The 5-NN accuracy says the same thing as a number, and the silhouette
#   adds how tight and separated the task clusters are.
# - It does **not** show distances: that two clusters are far apart in the 2-D map, or
#   that one is larger, is mostly t-SNE's doing (its cost ignores large distances and
#   equalises densities). Never read "how different" from the picture.
# - The noise-level order is a claim about a *direction* in the embedding; the 2-D map
#   may or may not keep it. `noise_levels_ordered` tests it on the embeddings.
# - A separated cluster says the degradation is *recognisable* from the embedding. It
#   does not say the restoration uses it well: that is the conditioning ablation
#   (Table VI), measured in PSNR.
# - Content matters too: both embeddings see image content, and the crops of one
#   benchmark share a style (Rain100L scenes, SOTS outdoor scenes, CBSD68 photographs),
#   so part of any separation may come from the source set, not from the degradation.
#   The baseline sees the same sources, which is why it is the right comparison.
# - $e_3$ is trained with the contrastive loss (Eq. 16) on the very task labels scored
#   here, so its separation could be that loss at work. Measured
#   (`data_samples/results/contrastive_steps1500.json`, `docs/results.md`): two maps
#   of 1,500 steps, identical but for $L_{con}$, give $e_3$ a 5-NN task accuracy of
#   0.88 with it and 0.93 without it. The separation is the residual's own.

# %% [markdown]
# ## Summary
#
# - $e_3$ is extracted from the residual $x - G(x)$ of pass 1; the baselines are the same
#   map's deepest encoder feature of $x$ and the REGM encoder applied to $x$, pooled the
#   same way (averaged over positions, or flattened) and L2-normalised.
# - t-SNE pictures are read together with scores computed on the embeddings: silhouette
#   by task, cross-validated 5-NN task accuracy, and the order of the noise levels along
#   the first principal direction.
# - With the shipped checkpoint and the real benchmark crops, compare the residual and
#   baseline rows of the score table (the same-width row above all): the residual
#   embedding's advantage, or its absence,
#   is the reproducible content of Fig. 4; the pictures only illustrate it.
#
# ## Exercises
#
# 1. Set `POOL = "flatten"` in the parameters cell and rerun: compare the panels with
#    the table of section 4. What does the spatial layout of $e_3$ add, or hide?
# 2. Compute the scores on the 2-D t-SNE coordinates instead (cell below) and compare
#    them with the scores on the embeddings. Why can they disagree? Then write the
#    silhouette of the t-SNE coordinates yourself from its formula in section 4 and check
#    it with `selfcheck.check_silhouette(your_value, Y, t)`.
# 3. Add `"lowlight"` (LOL pairs) or `"deblur"` (synthetic) to `TASKS`. Where do
#    degradations the map was not trained on land, in each embedding?
#
# ## References
#
# - X. Tang et al., *Degradation-Aware Residual-Conditioned Optimal Transport for Unified Image Restoration*, TPAMI 2025. [arXiv:2411.01656](https://arxiv.org/abs/2411.01656)
# - V. Potlapalli et al., *PromptIR: Prompting for All-in-One Blind Image Restoration*, NeurIPS 2023. [arXiv:2306.13090](https://arxiv.org/abs/2306.13090)
# - L. van der Maaten, G. Hinton, *Visualizing Data using t-SNE*, JMLR 9, 2008; scikit-learn's [`TSNE`](https://scikit-learn.org/stable/modules/generated/sklearn.manifold.TSNE.html).

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 1: the scores and panels with flattened maps (the space of Eq. 16)
for kind in E.KINDS:
    by_mean, by_flat = scores_by_pool["mean"][kind], scores_by_pool["flatten"][kind]
    print(f"{kind:10s} silhouette {by_mean['silhouette']:.3f} (mean) vs {by_flat['silhouette']:.3f} (flatten); "
          f"5-NN {by_mean['knn_accuracy']:.3f} vs {by_flat['knn_accuracy']:.3f}")
flat_cache = E.TsneCache(by_pool["flatten"], images.tasks, SEED, TSNE_ITERS)
plot_tsne_panels({names.get(k, k): flat_cache.get(k, PERPLEXITY) for k in E.KINDS},
                 {names.get(k, k): scores_by_pool["flatten"][k] for k in E.KINDS},
                 suptitle=f"the same images, flatten pooling, perplexity {PERPLEXITY}")
plt.show()

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 1.** Flattened, two crops are compared position by position: the vector keeps *where*
# things are, so two crops of one degradation with different content (an edge on the left, sky on the right)
# are far apart, and two crops of one scene with different degradations are close. Averaging over positions
# keeps what is stationary across the image, which is what a degradation is. The printed lines say how much
# the layout costs each embedding here; what it adds is the local structure (where the streaks are) that the
# contrastive loss of Eq. 16 sees during training.

# %% tags=["exercise"]
# Exercise 2: scores of the 2-D picture (compare with the table of section 4).
for kind in E.KINDS:
    Y, t = cache.get(kind, PERPLEXITY)
    s2 = E.embedding_scores(Y, t, seed=SEED, normalise=False)
    print(f"{kind:9s} on t-SNE: silhouette {s2['silhouette']:.3f}, "
          f"5-NN acc. {s2['knn_accuracy']:.3f}   (on embeddings: "
          f"{scores[kind]['silhouette']:.3f}, {scores[kind]['knn_accuracy']:.3f})")
Y, t = cache.get("residual", PERPLEXITY)
my_silhouette = None  # your silhouette of the residual embedding's t-SNE coordinates
selfcheck.check_silhouette(my_silhouette, Y, t)

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 2: the silhouette of the t-SNE coordinates, from its formula
dist = np.linalg.norm(Y[:, None, :] - Y[None, :, :], axis=-1)
s_i = []
for i in range(len(Y)):
    own = t == t[i]
    own[i] = False  # a(i) leaves out the distance of i to itself
    a_i = dist[i, own].mean()
    b_i = min(dist[i, t == other].mean() for other in np.unique(t) if other != t[i])
    s_i.append((b_i - a_i) / max(a_i, b_i))
my_silhouette = float(np.mean(s_i))
print(f"silhouette of the residual embedding's t-SNE coordinates: {my_silhouette:.3f}")
selfcheck.check_silhouette(my_silhouette, Y, t)

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 2.** t-SNE is built to keep neighbourhoods: each point's nearest neighbours in the
# embedding stay near it in the picture, so the 5-NN accuracy usually survives the projection. Distances do
# not: t-SNE's heavy-tailed kernel pushes clusters apart and evens out their densities, so the 2-D silhouette
# can come out higher or lower than on the embeddings, and it changes with the perplexity and the seed. The scores on
# the embeddings are the measurement; the ones on the picture describe the picture.

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution to exercise 3: two degradations the map was not trained on, placed by the nearest task centroid
NEW_TASKS = ("lowlight", "deblur")
extra = degraded_set(PER_TASK, NEW_TASKS, SIZE, SEED, root=DATA, progress=False)
extra_flat = E.extract(T, extra.images, E.KINDS, "flatten", BATCH_SIZE, device, progress=False)
for kind in E.KINDS:
    Z_old = E.l2_normalise(features[kind])
    Z_new = E.l2_normalise(E.repool(extra_flat[kind], SIZE // 8, POOL))
    centroids = np.stack([E.l2_normalise(Z_old[images.tasks == task].mean(0, keepdims=True))[0]
                          for task in TASKS])
    for new in NEW_TASKS:
        nearest = np.array(TASKS)[np.argmax(Z_new[extra.tasks == new] @ centroids.T, axis=1)]
        names_, counts = np.unique(nearest, return_counts=True)
        print(f"{kind:10s} {new:8s} nearest trained task: "
              + ", ".join(f"{n_} x{c_}" for n_, c_ in zip(names_, counts, strict=True)))

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution to exercise 3.** Each new image is assigned to the trained task whose centroid is most similar
# (cosine). An embedding that encodes *what the degradation does* should send low light (a global change of
# brightness, like haze's veil but darker) and blur (high frequencies removed, the opposite of noise) to their
# closest trained relatives, and send all images of one new degradation to the same place; images scattered
# over several trained tasks mean the embedding has no consistent place for what it never saw. The printed
# counts say which happens in each embedding, for this checkpoint and these images.
