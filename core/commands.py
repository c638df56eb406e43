"""The base of every management command of ours, so that they all speak one way:

- a user error is one line on stderr and a non-zero exit, never a traceback: raise CommandError (exit 1);
  a bad argument is one line too (exit 2), ending with "(see --help)" instead of a usage block;
- a closed pipe (`stats | head`) ends the command quietly, like any Unix tool (exit 141, SIGPIPE's);
- `output_file` opens a file to write only in a folder that exists: no silent mkdir of a typo.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand as DjangoBaseCommand
from django.core.management.base import CommandError, CommandParser

EXIT_BROKEN_PIPE = 128 + 13


class OneLineErrorParser(CommandParser):
    """Django's parser, with argparse's usage block left out of errors: the message names the argument
    and points to --help."""

    def print_usage(self, file: Any = None) -> None:
        return None

    def error(self, message: str) -> Any:
        return super().error(f"{message} (see --help)")


class BaseCommand(DjangoBaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds the parser itself; only its error reporting changes.
        parser.__class__ = OneLineErrorParser
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
            sys.stdout.flush()  # what is still buffered meets a closed pipe here, not at exit
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly. Point stdout at /dev/null so that the
            # interpreter's final flush does not complain either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)


MAX_REPORTED = 50


def fail_with(command: DjangoBaseCommand, problems: Sequence[str], consequence: str) -> NoReturn:
    """End with the problems found in the user's input: one problem is one line; several are one line
    each (the first MAX_REPORTED), then a count. `consequence` says what did not happen."""
    if len(problems) == 1:
        raise CommandError(f"{problems[0]}; {consequence}.")
    for problem in problems[:MAX_REPORTED]:
        command.stderr.write(problem)
    if len(problems) > MAX_REPORTED:
        command.stderr.write(f"... and {len(problems) - MAX_REPORTED} more.")
    raise CommandError(f"{len(problems)} problems; {consequence}.")


def output_file(path: str | Path, what: str = "file") -> Path:
    """`path` as a file to write: its folder must exist and it must not be a folder itself."""
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"{target} is a folder; give a {what} name.")
    folder = target.parent
    if not folder.is_dir():
        raise CommandError(f"The folder {folder} does not exist; create it first or write elsewhere.")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"Cannot write into {folder} (permission denied).")
    return target


def input_file(path: str | Path, what: str = "file") -> Path:
    """`path` as a file to read: it must exist and be a file."""
    source = Path(path)
    if not source.exists():
        raise CommandError(f"No such {what}: {source}")
    if not source.is_file():
        raise CommandError(f"{source} is not a file.")
    return source
