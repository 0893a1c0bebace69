"""The ``rcot`` command line (also ``python -m rcot_lib``).

Each subcommand lives in its own module ``rcot_lib/cli/<name>.py`` exposing
``register(subparsers)``, which adds its parser and sets ``func``; heavy imports
happen inside the command so that ``rcot --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand modules, in the order ``rcot --help`` lists them.
COMMANDS = [
    "notebooks",
    "toy2d",
    "sparsity",
    "train",
    "evaluate",
    "restore",
    "export",
    "bench",
    "tsne",
]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand."""
    from rcot_lib import __version__

    parser = argparse.ArgumentParser(
        prog="rcot",
        description="rcot-kit: optimal-transport image restoration, explained "
        "and reproduced.",
    )
    parser.add_argument(
        "--version", action="version", version=f"rcot-kit {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"rcot_lib.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rcot_lib.cli.{name}":
                continue  # not part of this version of the kit
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rcot`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"rcot {args.command}: error: {exc}", file=sys.stderr)
        return 1
