"""Start-up cost of `pmsize evaluate` beside the cost of importing its dependencies.

Prints the median wall time of `pmsize evaluate examples/claims-processing.yaml`
and of `python -c "import typer, pydantic, yaml, rich.table"`, measured in
alternating runs, and their ratio. Target: ratio <= 1.3 (no slower than 1.5).

    python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "claims-processing.yaml"
EVALUATE = [sys.executable, "-m", "pmsize", "evaluate", str(EXAMPLE)]
IMPORTS = [sys.executable, "-c", "import typer, pydantic, yaml, rich.table"]


def timed(command: list[str]) -> float:
    """Wall time of one run of `command`, output discarded; fails loudly if it fails."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    timed(EVALUATE), timed(IMPORTS)  # warm the file cache and bytecode
    evaluate, imports = [], []
    for _ in range(runs):
        evaluate.append(timed(EVALUATE))
        imports.append(timed(IMPORTS))
    a, b = statistics.median(evaluate), statistics.median(imports)
    print(f"pmsize evaluate (median of {runs}): {a * 1000:7.1f} ms")
    print(f"import typer, pydantic, yaml, rich.table: {b * 1000:7.1f} ms")
    print(f"ratio: {a / b:.2f}  (target <= 1.3, limit 1.5)")


if __name__ == "__main__":
    main()
