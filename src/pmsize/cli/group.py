"""What pmsize changes in how Typer (and the Click it vendors) reads a command line and
lays out help: the group, command and app classes the commands are built with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from pmsize._fmt import safe_text

GLOBAL_FLAGS = ("--debug", "--version")  # also accepted after the command
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # what completion can be installed for


class Group(TyperGroup):
    """The command group, with three fixes to how its arguments are read.

    `pmsize` alone prints the help on stdout and exits 0; `--debug` and `--version`
    work after the command too; `--install-completion bogus` is refused before any
    shell profile is touched (the flag detects the shell and would ignore the name).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args:
            args = ["--help"]
        args = self._hoist_global_flags(ctx, args)
        for flag in ("--install-completion", "--show-completion"):
            if flag in args[:-1]:
                shell = args[args.index(flag) + 1]
                if not shell.startswith("-") and shell not in SHELLS:
                    raise typer.BadParameter(
                        f"unknown shell {safe_text(shell)!r}; completion is for "
                        f"{', '.join(SHELLS[:-1])} or {SHELLS[-1]}, and without a name the "
                        "shell you run it from",
                        ctx=ctx,
                        param_hint=f"'{flag}'",
                    )
        return list(super().parse_args(ctx, args))

    def _hoist_global_flags(self, ctx: Any, args: list[str]) -> list[str]:
        """Move `--debug`/`--version` given after the command to before it."""
        at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
        command = self.get_command(ctx, args[at]) if at is not None else None
        if at is None or command is None:
            return args
        valued = {
            name
            for param in command.params
            if param.param_type_name == "option" and not getattr(param, "is_flag", False)
            for name in (*param.opts, *param.secondary_opts)
        }
        own = {name for param in command.params for name in param.opts}
        before, after, hoisted = args[: at + 1], list[str](), list[str]()
        rest = iter(args[at + 1 :])
        for arg in rest:
            if arg == "--":
                after += [arg, *rest]
                break
            if arg in GLOBAL_FLAGS and arg not in own:
                hoisted.append(arg)
                continue
            after.append(arg)
            value = next(rest, None) if arg in valued else None
            if value is not None:
                after.append(value)
        return [*hoisted, *before, *after] if hoisted else args


def argument_name(param: Any) -> str:
    """`PATH...`, `FILE` or `[FILE]`: an argument as usage lines and help name it."""
    name = str(param.metavar or param.name.upper())
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


class Command(TyperCommand):
    """A command whose help names arguments `PATH...` and `FILE`, as the docs do.

    (typer 0.27 and later write `{PATH}...` in the usage line and `PATH <list[str]>`
    in the list of arguments.)"""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(argument_name(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Typer(typer.Typer):
    """`typer.Typer` whose commands are `Command`s."""

    def command(
        self, *args: Any, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)


__all__ = ["GLOBAL_FLAGS", "SHELLS", "Command", "Group", "Typer", "argument_name"]
