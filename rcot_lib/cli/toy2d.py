"""``rcot toy2d [--json] [--out FILE] [--steps N] [--fast] [--seed S]``: the 2-D
minimax (Eq. 5) on every toy pair, against POT's exact OT cost.

``--out`` writes the rows with the settings, the command and the machine
(atomically, only once every pair has run): ``data_samples/results/toy2d.json``
is such a file."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "toy2d",
        help="train the 2-D map and potential on each toy pair; compare with ot.emd2",
        description="Train T and phi by the minimax of Eq. 5 on every toy 2-D pair "
        "with the cost ||x - y||^2 + lam ||D(x - y)||_p and compare the map's "
        "transport cost with POT's exact cost on the same samples.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--out", default=None, metavar="FILE",
        help="also write the rows, settings, command and machine to this JSON file",
    )
    p.add_argument("--steps", type=int, default=None, help="outer training steps")
    p.add_argument("--fast", action="store_true", help="fast mode (few steps)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lam", type=float, default=0.5, help="weight of the DCT term")
    p.add_argument(
        "--p", type=int, default=1, choices=(1, 2), help="norm of the DCT term"
    )
    p.add_argument("--pairs", nargs="*", default=None, help="toy pairs (default: all)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rcot_lib.device import get_device
    from rcot_lib.environment import is_fast
    from rcot_lib.neural2d import Neural2DConfig, run_pair
    from rcot_lib.toy2d import PAIRS

    fast = args.fast or is_fast()
    steps = args.steps if args.steps is not None else (100 if fast else 800)
    if steps < 1:
        raise ValueError(f"--steps must be positive; got {steps}")
    pairs = args.pairs or list(PAIRS)
    unknown = [p for p in pairs if p not in PAIRS]
    if unknown:
        raise ValueError(f"unknown toy pairs {unknown}; choose from {list(PAIRS)}")
    if args.out is not None and not args.out.endswith(".json"):
        raise ValueError(f"--out must name a .json file; got {args.out}")
    device = get_device(args.device)
    rows = []
    for name in pairs:
        cfg = Neural2DConfig(lam=args.lam, p=args.p, num_steps=steps, seed=args.seed)
        if fast:  # a short schedule: larger steps, smaller networks and batches
            cfg.batch_size, cfg.hidden, cfg.lr, cfg.lr_final = 256, 64, 2e-3, 1e-4
        _, m = run_pair(
            name, cfg, n_eval=500 if fast else 1000, repeats=2 if fast else 8,
            device=device, progress=not args.no_progress,
        )
        rows.append({"pair": name, **m})
        if not args.json:
            print(
                f"{name:<20} exact {m['exact_cost']:.4f}  neural {m['neural_cost']:.4f}"
                f"  ratio {m['ratio']:.4f} (se {m['ratio_se']:.4f})"
                f"  optimality {m['optimality_ratio']:.4f}"
                f"  W2(T#mu, nu) {m['w2_pushforward']:.4f}"
                f" (sampling floor {m['w2_sampling']:.4f})",
                flush=True,
            )
        else:
            print(f"{name}: ratio {m['ratio']:.4f}", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    if args.out is not None:
        _save(args, rows, steps, fast, device)
    return 0


def _save(args: argparse.Namespace, rows: list[dict], steps: int, fast: bool,
          device) -> None:
    """Write the rows with what made them (atomic: a failed run leaves no file)."""
    import torch

    from rcot_lib.environment import machine
    from rcot_lib.files import save_json

    command = ["rcot", "toy2d", "--steps", str(steps), "--seed", str(args.seed),
               "--lam", str(args.lam), "--p", str(args.p)]
    if fast:
        command.append("--fast")
    if args.pairs:
        command += ["--pairs", *args.pairs]
    save_json({
        "command": " ".join(command),
        "settings": {"steps": steps, "seed": args.seed, "lam": args.lam, "p": args.p,
                     "fast": fast},
        "machine": f"{machine()}, {torch.get_num_threads()} threads, {device}",
        "rows": rows,
    }, args.out)
