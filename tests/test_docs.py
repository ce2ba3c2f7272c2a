"""The README tells the truth: its example output is what pmsize prints."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_example_output_is_what_the_tool_prints() -> None:
    block = re.search(r"```text\n\$ pmsize (evaluate [^\n]+)\n(.*?)```", README, re.S)
    assert block is not None
    args = block.group(1).split()
    result = CliRunner().invoke(
        app, args, env={"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout == block.group(2)


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1]
    commands = re.search(r"```sh\n(.*?)```", section, re.S)
    assert commands is not None
    lines = [line for line in commands.group(1).splitlines() if line.strip()]
    assert len(lines) == 2
    assert "pmsize evaluate examples/claims-processing.yaml" in lines[0]
    assert "pytest" in lines[1]


def test_every_command_has_help_and_a_row_in_the_readme() -> None:
    from typer.main import get_command

    commands = get_command(app).commands
    assert len(commands) >= 7
    for name, command in commands.items():
        assert command.help, f"{name} has no --help text"
        assert f"| `pmsize {name}" in README, f"{name} is missing from the README's commands"


def test_every_run_shown_in_the_docs_is_what_the_tool_prints() -> None:
    shown = [
        (doc.name, match)
        for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for match in re.finditer(
            r"^```[a-z]*\n\$ pmsize ([^\n]+)\n(.*?)^```",
            doc.read_text(encoding="utf-8"),
            re.S | re.M,
        )
    ]
    assert len(shown) >= 4  # the README's evaluate and plan, docs/uncertainty.md's runs
    for name, match in shown:
        result = CliRunner().invoke(
            app,
            match.group(1).split(),
            env={"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"},
            catch_exceptions=False,
        )
        assert (name, result.exit_code) == (name, 0)
        assert result.stdout == match.group(2), f"{name}: $ pmsize {match.group(1)}"
