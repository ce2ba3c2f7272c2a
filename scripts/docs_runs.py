"""Rewrite the output of every `$ pmsize ...` run shown in README.md and docs/*.md.

    python scripts/docs_runs.py          # rewrite in place
    python scripts/docs_runs.py --check  # list the runs whose output is out of date

Runs at 80 columns without colour, as tests/test_docs.py checks them; an example
added to examples/ or a changed sentence would otherwise mean copying outputs by hand.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from typer.testing import CliRunner

from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
RUN = re.compile(r"^(```[a-z]*\n\$ pmsize ([^\n]+)\n)(.*?)(^```)", re.S | re.M)
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")

        def rerun(match: re.Match[str], doc: Path = doc) -> str:
            result = CliRunner().invoke(app, match.group(2).split(), env=ENV)
            if result.stdout != match.group(3):
                stale.append(f"{doc.relative_to(ROOT)}: $ pmsize {match.group(2)}")
            return match.group(1) + result.stdout + match.group(4)

        updated = RUN.sub(rerun, text)
        if not check and updated != text:
            doc.write_text(updated, encoding="utf-8")
    print("\n".join(stale) or "every run is up to date")
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
