"""The ``rcot`` command line (also ``python -m rcot_lib``).

Each subcommand lives in its own module ``rcot_lib/cli/<name>.py`` exposing
``register(subparsers)``, which adds its parser and sets ``func``; heavy imports
happen inside the command so that ``rcot --help`` stays fast.

A command that fails prints one line, ``rcot <command>: error: <message>``, on
stderr and exits with status 1; ``--debug`` (before or after the command) shows
the full traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: What a command may raise on bad input (files, checkpoints, settings): reported
#: in one line unless ``--debug``.
ERRORS = (ValueError, OSError, KeyError, TypeError, RuntimeError, MemoryError)

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
    debug = "on an error, show the full traceback (not only its one-line message)"
    parser.add_argument("--debug", action="store_true", help=debug)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"rcot_lib.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rcot_lib.cli.{name}":
                continue  # not part of this version of the kit
            raise
        module.register(sub)
    for command in sub.choices.values():  # also accepted after the command
        command.add_argument("--debug", action="store_true",
                             default=argparse.SUPPRESS, help=debug)
    return parser


def error_message(exc: BaseException) -> str:
    r"""One line naming the problem: the message, whitespace collapsed.

    Examples
    --------
    >>> error_message(KeyError("map"))
    "KeyError: 'map'"
    >>> error_message(ValueError("bad\n  value"))
    'bad value'
    """
    text = " ".join(str(exc).split())
    if isinstance(exc, (ValueError, OSError)) and text:
        return text
    if isinstance(exc, MemoryError):
        return f"out of memory{': ' + text if text else ''}"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rcot`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ERRORS as exc:
        if args.debug:
            raise
        print(f"rcot {args.command}: error: {error_message(exc)}", file=sys.stderr)
        return 1
