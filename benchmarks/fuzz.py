"""A longer fuzz run of the loader, engine and JSON writer than the tests make in CI.

    python benchmarks/fuzz.py [--seconds 300]

Feeds random bytes, YAML-looking text and mutated example files (the strategies of
tests/test_robustness.py), and generated problem documents, sound and spoiled (those
of tests/strategies.py, compared against the JSON Schema as tests/test_schema.py
does), for the time given. Prints how many inputs loaded and how many were refused
with a located error; any other outcome is a bug and stops the run with the input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

import test_robustness as robustness  # noqa: E402
import test_schema as schema  # noqa: E402
from strategies import documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to run")
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds
    counts: Counter[str] = Counter()
    inputs = st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
        robustness.mutated(),
    )

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(inputs.map(lambda b: ("bytes", b)), documents().map(lambda d: ("doc", d))))
    def fuzz(case: tuple[str, object]) -> None:
        kind, value = case
        if kind == "bytes":
            assert isinstance(value, bytes)
            counts[robustness.outcome(value)] += 1
        else:
            assert isinstance(value, dict)
            schema.test_schema_and_loader_agree_on_every_document.hypothesis.inner_test(value)
            counts["document"] += 1

    while time.monotonic() < deadline:
        fuzz()  # each round draws fresh examples: no database, a new random seed
    total = sum(counts.values())
    print(
        f"{total} inputs in {args.seconds:g} s: "
        + ", ".join(f"{n} {k}" for k, n in counts.most_common())
    )


if __name__ == "__main__":
    main()
