"""``rcot restore IN OUT --checkpoint P``: restore one image (or a folder)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "restore",
        help="restore an image (any size, RGB or grayscale) with a checkpoint",
        description="Restore IN (an image file, or a folder of images) and write "
        "OUT (a file, or a folder). The map pads to its multiple and crops back. "
        "A folder's outputs are PNG files named by stem (by full file name where "
        "two inputs share a stem); an image that cannot be read is skipped, listed "
        "at the end, and the exit status is then 1.",
    )
    p.add_argument("input", type=Path, metavar="IN")
    p.add_argument("output", type=Path, metavar="OUT")
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--tile", type=int, default=None,
                   help="restore in tiles of this size (large images); larger "
                   "than --overlap")
    p.add_argument("--overlap", type=int, default=32,
                   help="overlap of neighbouring tiles in pixels (default: 32)")
    p.add_argument("--self-ensemble", action="store_true",
                   help="average over the 8 flips/quarter turns of the input (8x time)")
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    p.set_defaults(func=run)


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def plan_jobs(src: Path, dst: Path) -> list[tuple[Path, Path]]:
    """The ``(input, output)`` files of a run, checked before any work.

    A folder gives one ``<stem>.png`` per image in ``dst``; images whose stems
    differ only by their suffix (``a.jpg``, ``a.png``) are named by their full
    file name (``a.jpg.png``, ``a.png.png``) so that no output overwrites
    another. A file given an existing folder ``dst`` writes ``dst/<stem>.png``.

    Raises
    ------
    FileNotFoundError
        ``src`` does not exist, or is a folder without images.
    ValueError
        An output cannot be written (unknown suffix, a file where a folder is
        needed), two outputs share a name, or an output is its own input.
    """
    from rcot_lib.images import list_images, output_format

    if src.is_dir():
        if dst.exists() and not dst.is_dir():
            raise ValueError(f"OUT {dst} is a file; a folder IN needs a folder OUT")
        files = list_images(src)
        stems: dict[str, int] = {}
        for path in files:
            stems[path.stem.casefold()] = stems.get(path.stem.casefold(), 0) + 1
        jobs = [(p, dst / (p.stem if stems[p.stem.casefold()] == 1 else p.name))
                for p in files]
        jobs = [(p, out.with_name(out.name + ".png")) for p, out in jobs]
        seen: dict[str, Path] = {}
        for path, out in jobs:
            other = seen.setdefault(out.name.casefold(), path)
            if other != path:
                raise ValueError(f"{other.name} and {path.name} would both be "
                                 f"written to {out}; rename one of them")
    elif src.is_file():
        if dst.is_dir():
            dst = dst / f"{src.stem}.png"
        output_format(dst)
        jobs = [(src, dst)]
    else:
        raise FileNotFoundError(f"input image not found: {src}")
    for path, out in jobs:
        if out.exists() and _same_file(path, out):
            raise ValueError(f"{out} would overwrite its own input; choose another OUT")
    return jobs


def report_failures(command: str, failed: list[tuple[str, str]], total: int) -> None:
    """List the inputs that could not be processed on stderr, one per line."""
    print(f"rcot {command}: {len(failed)} of {total} images failed:", file=sys.stderr)
    for name, message in failed:
        print(f"  {name}: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rcot_lib.checkpoint import load_map
    from rcot_lib.device import get_device, set_threads
    from rcot_lib.restore import check_tile, restore_file

    check_tile(args.tile, args.overlap, prefix="--")
    jobs = plan_jobs(args.input, args.output)
    set_threads(args.threads)
    T, _ = load_map(args.checkpoint, get_device(args.device))
    failed: list[tuple[str, str]] = []
    for src, dst in jobs:
        t0 = time.perf_counter()
        try:
            restore_file(T, src, dst, tile=args.tile, overlap=args.overlap,
                         self_ensemble=args.self_ensemble)
        except (ValueError, OSError) as exc:
            if not args.input.is_dir():
                raise  # one file: its error is the command's
            failed.append((src.name, " ".join(str(exc).split())))
            print(f"{src}: skipped ({failed[-1][1]})", file=sys.stderr)
            continue
        print(f"{src} -> {dst} ({time.perf_counter() - t0:.2f} s)", file=sys.stderr)
    if failed:
        report_failures("restore", failed, len(jobs))
        return 1
    return 0
