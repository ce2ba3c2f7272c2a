"""Start-up cost of `pmsize evaluate` beside the cost of importing its dependencies.

Prints the median wall and CPU time of `pmsize evaluate examples/claims-processing.yaml`
as a table and as JSON, and of `python -c "import typer, pydantic, yaml, rich.table"`,
measured in alternating runs, and the ratios. Targets: table <= 1.5, JSON <= 1.4.
On a busy machine, read the ratios (each round runs all three) and run it twice.

    python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "claims-processing.yaml"
EVALUATE = [sys.executable, "-m", "pmsize", "evaluate", str(EXAMPLE)]
COMMANDS = {
    "import typer, pydantic, yaml, rich.table": [
        sys.executable,
        "-c",
        "import typer, pydantic, yaml, rich.table",
    ],
    "pmsize evaluate claims-processing.yaml": EVALUATE,
    "pmsize evaluate -f json claims-processing.yaml": [*EVALUATE, "-f", "json"],
}
TARGETS = {"pmsize evaluate claims-processing.yaml": 1.5}  # JSON's: 1.4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    for command in COMMANDS.values():
        timed(command)  # warm the file cache and the bytecode cache
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(timed(command))
    wall = {name: statistics.median(w for w, _ in t) for name, t in times.items()}
    cpu = {name: statistics.median(c for _, c in t) for name, t in times.items()}
    base = next(iter(COMMANDS))
    print(f"median of {runs} runs{'wall':>35}{'cpu':>10}   ratio (wall, cpu)")
    for name in COMMANDS:
        ratios = f"{wall[name] / wall[base]:.2f}, {cpu[name] / cpu[base]:.2f}"
        target = TARGETS.get(name, 1.4)
        note = "" if name == base else f"   {ratios}  (target <= {target})"
        print(f"{name:<46} {wall[name] * 1000:6.1f} ms {cpu[name] * 1000:6.1f} ms{note}")


if __name__ == "__main__":
    main()
