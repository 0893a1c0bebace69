"""``rcot tsne --checkpoint P --out FIG.png [--json]``: the t-SNE figure (Fig. 4).

Extracts the dense residual embedding ``e3``, the baseline (the map's deepest
encoder feature of the degraded input) and the REGM encoder of the input itself
(``e3``'s width and scale; see :data:`rcot_lib.embeddings.KINDS`) for
``--per-task`` images of each task, draws the t-SNE panels side by side and
reports scores computed on the embeddings themselves (silhouette, 5-NN accuracy,
noise-level order).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_TASKS = "denoise_15,denoise_25,denoise_50,derain,dehaze"


def register(sub: argparse._SubParsersAction) -> None:
    from rcot_lib.environment import CHECKPOINTS_DIR

    p = sub.add_parser(
        "tsne",
        help="t-SNE of residual embeddings vs. a baseline, with scores",
        description="Embed degraded images (real benchmark images where present, "
        "else synthetic degradations of data_samples/), project them with t-SNE and "
        "score the task clusters on the embeddings (not on the 2-D picture).",
    )
    p.add_argument(
        "--checkpoint", type=Path,
        default=CHECKPOINTS_DIR / "darcot_small_allinone.pt",
        help="trained map (default: the shipped DA-RCOT checkpoint)",
    )
    p.add_argument("--random-init", action="store_true",
                   help="use an untrained map instead of a checkpoint")
    p.add_argument("--pairs", action="append", default=[], metavar="TASK=FOLDER",
                   help="paired folder of real degraded images for a task "
                   "(repeatable; default Rain100L, SOTS-outdoor under RCOT_DATA)")
    p.add_argument("--clean", default=None, metavar="FOLDER",
                   help="clean images for the synthetic tasks (default CBSD68)")
    p.add_argument("--data", default=None, help="data folder instead of $RCOT_DATA")
    p.add_argument("--tasks", default=DEFAULT_TASKS, help="comma-separated tasks")
    p.add_argument("--per-task", type=int, default=100, help="images per task")
    p.add_argument("--size", type=int, default=128, help="crop side (multiple of 8)")
    p.add_argument("--pool", default="mean", choices=("mean", "flatten", "meanstd"),
                   help="feature map -> vector for the figure and the main scores "
                   "(mean: a degradation is a global property; flatten: the space "
                   "of Eq. 16); scores_by_pool reports every pooling")
    p.add_argument("--perplexity", type=float, default=30.0)
    p.add_argument("--max-iter", type=int, default=1000, help="t-SNE iterations")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--device", default="auto")
    p.add_argument("--out", type=Path, default=None, help="figure file (.png, .pdf)")
    p.add_argument("--save-features", type=Path, default=None, metavar="FILE.npz",
                   help="also save the flattened embeddings and the task names")
    p.add_argument("--json", action="store_true", help="print the scores as JSON only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _parse_pairs(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        task, sep, folder = item.partition("=")
        if not sep or not task or not folder:
            raise ValueError(f"--pairs expects TASK=FOLDER, got {item!r}")
        pairs[task] = folder
    return pairs


def save_figure(fig, path: Path) -> Path:
    """Write a matplotlib figure atomically (temporary file, then rename)."""
    from rcot_lib.files import atomic_write

    fmt = path.suffix.lstrip(".").lower() or "png"
    return atomic_write(
        path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight")
    )


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from rcot_lib import embeddings as E
    from rcot_lib.device import get_device
    from rcot_lib.embedding_images import degraded_set
    from rcot_lib.viz_embeddings import plot_tsne_panels

    def say(msg: str) -> None:
        print(msg, file=sys.stderr if args.json else sys.stdout)

    if not args.random_init and not args.checkpoint.is_file():
        raise FileNotFoundError(
            f"checkpoint not found: {args.checkpoint} (train one with `rcot train`, "
            "or pass --random-init for an untrained map)"
        )
    device = get_device(args.device)
    T, note = E.load_for_embedding(
        None if args.random_init else str(args.checkpoint), device, args.seed
    )
    say(f"map: {note}")
    tasks = tuple(t.strip() for t in args.tasks.split(",") if t.strip())
    images = degraded_set(
        args.per_task, tasks, args.size, args.seed, _parse_pairs(args.pairs),
        args.clean, args.data, progress=not args.no_progress,
    )
    flat = E.extract(T, images.images, E.KINDS, "flatten", args.batch_size, device,
                     progress=not args.no_progress)
    side = args.size // 8
    by_pool = {
        p: {k: E.embedding_scores(E.repool(X, side, p), images.tasks, seed=args.seed)
            for k, X in flat.items()}
        for p in E.POOLS
    }
    scores = by_pool[args.pool]
    feats = {k: E.repool(X, side, args.pool) for k, X in flat.items()}
    result = {
        **scores,
        "scores_by_pool": by_pool,
        "n_images": images.counts(),
        "sources": images.sources,
        "map": note,
        "settings": {"pool": args.pool, "size": args.size, "seed": args.seed,
                     "perplexity": args.perplexity, "max_iter": args.max_iter,
                     "scores_on": "L2-normalised embeddings"},
    }
    if args.save_features is not None:
        import numpy as np

        from rcot_lib.files import atomic_write

        def write(tmp: str) -> None:
            with open(tmp, "wb") as f:
                np.savez_compressed(f, tasks=images.tasks, side=side, **flat)

        result["features"] = str(atomic_write(args.save_features, write))
    if args.out is not None:
        cache = E.TsneCache(feats, images.tasks, args.seed, args.max_iter)
        panels = {E.KIND_LABELS[k]: cache.get(k, args.perplexity) for k in E.KINDS}
        named = {E.KIND_LABELS[k]: scores[k] for k in E.KINDS}
        fig = plot_tsne_panels(panels, named, suptitle=f"t-SNE of {args.pool}-pooled "
                               f"embeddings, perplexity {args.perplexity:g}, "
                               f"{len(images.tasks)} images")
        result["figure"] = str(save_figure(fig, args.out))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for kind in E.KINDS:
            s = scores[kind]
            merged = s["silhouette_levels_merged"]
            merged = "n/a" if merged is None else f"{merged:.3f}"
            say(f"{kind:10s} silhouette {s['silhouette']:.3f} (noise levels merged: "
                f"{merged})  5-NN accuracy "
                f"{s['knn_accuracy']:.3f} (chance {s['knn_chance']:.2f})  "
                f"noise levels ordered: {s['noise_levels_ordered']}")
        say(f"images: {result['n_images']}")
        if args.out is not None:
            say(f"figure: {result['figure']}")
    return 0
