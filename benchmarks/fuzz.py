"""A longer fuzz run of the loader, engine and JSON writer than the tests make in CI.

    python benchmarks/fuzz.py [--seconds 300]
    python benchmarks/fuzz.py --pathological


Feeds random bytes, YAML-looking text and mutated example files (the strategies of
tests/test_robustness.py), generated problem documents, sound and spoiled (those
of tests/strategies.py, compared against the JSON Schema as tests/test_schema.py
does), and example files carrying the GitHub runner's `##[command]` workflow commands
in their names, values and keys, whose every printed form (error lines, JSON, CSV,
markdown, annotations, the table) must hold no `##[`, for the time given. Prints how
many inputs loaded and how many were refused with a located error; any other outcome
is a bug and stops the run with the input.

`--pathological` instead times the hostile inputs that once hung the loader, each
refused with a located error (the figures before the fix are in `BEFORE`), then the
shapes that once never finished: `plan` of a hard knapsack and `diff` of 1 -> 3,000
alternatives, each in a fresh process.
"""

from __future__ import annotations

import argparse
import io
import json
import re
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

# The runner's older workflow commands, honoured anywhere in a log line (`fmt.INLINE_COMMAND`)
INLINE_COMMANDS = (
    b"##[error]x",
    b"##[add-mask]x",
    b"##[stop-commands]x",
    b"##[set-output name=a;]x",
    b"##[add-matcher]x",
    b"###[warning]x",
    b"##[##[debug]x",
)
HOSTILE_FILE = "fuzz ##[error]f.yaml"

BASE = "name: Hostile\nmarket: {customers: 400, problem_cost: $150k}\nsolution:\n  adoption: 5%\n"


def pathological() -> dict[str, bytes]:
    """Inputs that took seconds or gigabytes before, by what they attack."""
    spaces = BASE.replace("customers: 400", 'customers: "1' + " " * 20_000 + 'x"')
    range_spaces = BASE.replace("customers: 400", 'customers: "1' + " " * 20_000 + 'x to 5"')
    unknown = BASE + "".join(f"unknown_key_{i}: 1\n" for i in range(16_000))
    many = BASE + "".join(f"k{i}: 1\n" for i in range(300_000))
    repeated = BASE + "zz: 1\n" * 300_000
    under_keys = BASE + "".join(f"k{i}: 1\n" for i in range(990))
    adoption = BASE.replace("adoption: 5%", "adoption: [" + "0," * 4_900_000 + "0]")
    under_cap = BASE.replace("adoption: 5%", "adoption: [" + "x," * 99_998 + "x]")
    return {
        "value of 20,000 spaces (number pattern)": spaces.encode(),
        "range of 20,000 spaces (range split)": range_spaces.encode(),
        "16,000 unknown keys": unknown.encode(),
        "300,000 unknown keys (3.2 MB)": many.encode(),
        "300,000 repeats of one key (1.8 MB)": repeated.encode(),
        "990 unknown keys (under the key cap; 100 errors told, the rest counted)": (
            under_keys.encode()
        ),
        "adoption list of 4.9M items": adoption.encode(),
        "adoption list of 99,999 bad items (length checked first)": under_cap.encode(),
    }


# seconds each took before the fix (the adoption list also held 1.7 GB; the 300,000 unknown
# keys 667 MB and the 300,000 repeats 494 MB, each printing an error line per key)
BEFORE = {
    "value of 20,000 spaces (number pattern)": 20.0,
    "range of 20,000 spaces (range split)": 20.0,
    "16,000 unknown keys": 33.0,
    "300,000 unknown keys (3.2 MB)": 33.0,
    "300,000 repeats of one key (1.8 MB)": 9.5,
    "adoption list of 4.9M items": 105.0,
}


def time_pathological() -> None:
    """Time each pathological input through the loader; each must be refused, located."""
    import resource

    from pmsize._errors import InputError, InputErrors
    from pmsize._loader import load_bytes

    for label, data in pathological().items():
        start = time.perf_counter()
        try:
            load_bytes(data, "hostile.yaml")
        except (InputError, InputErrors) as exc:
            errors = exc.errors if isinstance(exc, InputErrors) else [exc]
            first = str(errors[0])[:90]
        else:
            raise SystemExit(f"{label}: accepted")
        took = time.perf_counter() - start
        before = f" (was {BEFORE[label]:g} s)" if label in BEFORE else ""
        print(f"{label}: {took:.2f} s{before}, {len(errors)} error(s): {first}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    time_unending_shapes()


def time_unending_shapes() -> None:
    """Time, each in a fresh process, the shapes that once never finished: `plan` of a
    knapsack built to be hard (468 s, deaf to Ctrl-C; now bounded by its 10 s time limit)
    and `diff` of 1 -> 3,000 alternatives (past 3.2 GB at 45 s; now about a second)."""
    import os
    import subprocess
    import tempfile

    from diff import HEAD, alternatives
    from plan import write_hard_knapsack
    from timing import ENV

    pmsize = [sys.executable, "-m", "pmsize"]
    with tempfile.TemporaryDirectory() as folder:
        knapsack = Path(folder) / "hard.yaml"
        budget = write_hard_knapsack(knapsack, 200)
        old, new = Path(folder) / "old.yaml", Path(folder) / "new.yaml"
        old.write_text(alternatives(1), encoding="utf-8")
        new.write_text(alternatives(1) + alternatives(2_999, 1)[len(HEAD) :], encoding="utf-8")
        shapes = {
            "plan of a hard knapsack of 200 problems (was 468 s)": [
                *pmsize,
                "plan",
                str(knapsack),
                "--budget",
                str(budget),
                "-f",
                "json",
            ],
            "diff of 1 -> 3,000 alternatives (was > 45 s, > 3.2 GB)": [
                *pmsize,
                "diff",
                str(old),
                str(new),
                "-f",
                "json",
            ],
        }
        for label, command in shapes.items():
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=ENV)
            _, status, usage = os.wait4(process.pid, 0)
            took = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, 1):
                raise SystemExit(f"{label}: exit {code}")
            print(f"{label}: {took:.2f} s, {usage.ru_maxrss / 1024:.0f} MB")


@st.composite
def with_inline_commands(draw: st.DrawFn) -> bytes:
    """A mutated example with `##[` commands written after a key (into a name or a value)
    or anywhere (into a key, or the YAML around it)."""
    data = bytearray(draw(robustness.mutated()))
    for _ in range(draw(st.integers(1, 3))):
        after_keys = [m.end() for m in re.finditer(rb": ", data)]
        at = draw(st.sampled_from(after_keys) if after_keys else st.just(0))
        if draw(st.booleans()):
            at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.sampled_from(INLINE_COMMANDS))
    return bytes(data)


def printed(data: bytes) -> str:
    """`ok` or `error`, as `robustness.outcome`, once every form pmsize would print the
    result in (error lines, JSON, CSV, markdown, annotations, the table) holds no `##[`."""
    from pmsize import _fmt as fmt
    from pmsize import _service as service
    from pmsize._errors import InputError, InputErrors
    from pmsize._loader import load_bytes
    from pmsize.render import csv, github, markdown, table
    from pmsize.render import json as render_json

    try:
        problems = load_bytes(data, HOSTILE_FILE)
    except (InputError, InputErrors) as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        kind, text = "error", "".join(fmt.safe_line(str(e)) for e in errors)
    else:
        results = [service.evaluate(p) for p in problems]
        doc = render_json.document(results)
        json.loads(doc)  # finite numbers only, and the `\u0023` escapes read back
        drawn = io.StringIO()
        table.render(table.make_console(drawn, terminal=False), results)
        shown = (doc, csv.document(results), markdown.document(results), github.document(results))
        kind, text = "ok", "".join(shown) + drawn.getvalue()
    if "##[" in text:
        line = next(line for line in text.splitlines() if "##[" in line)
        raise AssertionError(f"a workflow command is printed: {line!r}")
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to run")
    parser.add_argument(
        "--pathological", action="store_true", help="time the inputs that once hung the loader"
    )
    args = parser.parse_args()
    if args.pathological:
        time_pathological()
        return
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
    @given(
        st.one_of(
            inputs.map(lambda b: ("bytes", b)),
            documents().map(lambda d: ("doc", d)),
            with_inline_commands().map(lambda b: ("printed", b)),
        )
    )
    def fuzz(case: tuple[str, object]) -> None:
        kind, value = case
        if kind == "bytes":
            assert isinstance(value, bytes)
            counts[robustness.outcome(value)] += 1
        elif kind == "printed":
            assert isinstance(value, bytes)
            counts[f"{printed(value)} with ##["] += 1
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
