"""Start-up cost of `pmsize evaluate` beside the cost of importing its dependencies.

Prints the median wall time of `pmsize evaluate examples/claims-processing.yaml`
and of `python -c "import typer, pydantic, yaml, rich.table"`, measured in
alternating runs, and their ratio. Target: ratio <= 1.3 (no slower than 1.5).

    python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import alternate, timed

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "claims-processing.yaml"
EVALUATE = [sys.executable, "-m", "pmsize", "evaluate", str(EXAMPLE)]
IMPORTS = [sys.executable, "-c", "import typer, pydantic, yaml, rich.table"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    (a, a_cpu), (b, b_cpu) = alternate(EVALUATE, IMPORTS, runs, timed)
    print(f"median of {runs} runs                          wall       cpu")
    print(f"pmsize evaluate claims-processing.yaml   {a * 1000:6.1f} ms  {a_cpu * 1000:6.1f} ms")
    print(f"import typer, pydantic, yaml, rich.table {b * 1000:6.1f} ms  {b_cpu * 1000:6.1f} ms")
    print(f"ratio (wall): {a / b:.2f}  (target <= 1.3, limit 1.5); cpu: {a_cpu / b_cpu:.2f}")


if __name__ == "__main__":
    main()
