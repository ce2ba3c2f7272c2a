"""The command line: parse options -> load -> compute -> render. Thin on purpose.

    __init__   `app`: the `pmsize` group, its global options, its commands in help order
    point      the commands that draw no samples: evaluate, validate, explain, init,
               schema, diff
    sampled    the commands that draw samples: simulate, sensitivity, plan, report
    params     the arguments and options several commands declare alike
    output     stdout, files written as `cp` writes them, GitHub's step summary, stderr
    watch      `--watch`: a command's run again after each save of a file it read
    boundary   errors -> messages and exit codes (SPEC §5); `main` runs the commands
    group      what pmsize changes in how Typer reads a command line and lays out help

The `pmsize` script and `python -m pmsize` start in `pmsize.__main__`, which calls
`main`; tests run `app` in-process.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pmsize._version import __version__
from pmsize.cli import boundary
from pmsize.cli.boundary import main
from pmsize.cli.group import Group, Typer
from pmsize.cli.output import write_stdout
from pmsize.cli.point import diff, evaluate, explain, init, schema, validate
from pmsize.cli.sampled import plan, report, sensitivity, simulate

app = Typer(
    name="pmsize",
    help="Size product problems: how big, how much anyone can charge once the cheapest "
    "alternative is counted, and whether building pays back.",
    cls=Group,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        with boundary.boundary():
            write_stdout(f"pmsize {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
) -> None:
    del version
    boundary.show_tracebacks(debug)


# in the order `pmsize --help` lists them
app.command()(evaluate)
app.command()(validate)
app.command()(explain)
app.command()(init)
app.command()(schema)
app.command()(simulate)
app.command()(sensitivity)
app.command()(plan)
app.command()(diff)
app.command()(report)

__all__ = ["app", "main"]
