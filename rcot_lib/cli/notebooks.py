"""``rcot notebooks [--fast] [--out DIR] [NAMES...]``: run the notebooks headless."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "notebooks",
        help="execute the notebooks headless and print a time table",
        description="Execute every numbered notebook (or those named) in a fresh "
        "kernel; write executed copies and HTML to --out; exit 1 naming the "
        "failing cell.",
    )
    p.add_argument("names", nargs="*", help="notebook names or prefixes, e.g. 01 02")
    p.add_argument("--fast", action="store_true", help="fast mode (RCOT_FAST=1)")
    p.add_argument("--out", type=Path, default=None, help="folder for executed copies")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    p.add_argument("--course", type=Path, default=None, metavar="DIR",
                   help="instead of running them, write the student copies (without "
                   "the cells tagged 'solution') to DIR/student and the instructor "
                   "copies to DIR/instructor")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rcot_lib.notebooks import build_course, format_table, list_notebooks, run_all

    paths = list_notebooks()
    if args.names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in args.names)]
        if not paths:
            raise ValueError(f"no notebook matches {args.names}")
    if args.course is not None:
        built = build_course(args.course, paths)
        for kind, written in built.items():
            print(f"{kind:10s} {len(written)} notebooks in {args.course / kind}")
        return 0
    runs = run_all(paths, fast=args.fast, out_dir=args.out, timeout=args.timeout)
    print(format_table(runs))
    failed = [r for r in runs if not r.ok]
    for r in failed:
        print(f"FAILED {r.error}", file=sys.stderr)
    return 1 if failed else 0
