"""How many samples a run draws, and the one check of a sample count and a seed.

`simulate`, `sensitivity`, `report` and `plan --objective expected-npv` take a sample
count and a seed; each library call checks them with `check_sampling`, so a bad one
is refused in the same words whichever call it reached. The command line reads the
same limits (`options.samples`), in its own words, since it names the option and
echoes what was typed.
"""

from __future__ import annotations

from typing import TypeGuard

from pmsize._errors import ArgumentError

# Samples per problem for `simulate` and `sensitivity` alike, so the same file and seed give
# the same P(NPV > 0) and percentiles in both. 100,000 rather than 10,000: value of
# information splits the samples into 50 bins per input (at 62,500 samples and more; fewer,
# coarser bins below that) and noise in them reads as information; P(NPV > 0) is then
# within +-0.3 points (two standard errors) instead of +-1. A problem of ten ranged inputs
# still simulates in about a tenth of a second.
DEFAULT_SAMPLES = 100_000
DIFF_SAMPLES = 10_000  # a side of a changed problem with uncertainty, in `diff` (SPEC §15)
MAX_SAMPLES = 10_000_000  # 24 bytes kept per sample: 240 MB at most
DEFAULT_SEED = 0


def check_sampling(samples: object, seed: object = DEFAULT_SEED) -> None:
    """Raise ArgumentError (a ValueError) unless `samples` is a whole number from 1 to
    `MAX_SAMPLES` and `seed` a whole number from 0."""
    if not _whole(samples):
        raise ArgumentError(f"samples must be a whole number, not {samples!r}")
    if not _whole(seed):
        raise ArgumentError(f"seed must be a whole number, not {seed!r}")
    if seed < 0:
        raise ArgumentError(f"seed must be a whole number from 0, not {seed}")
    if not 1 <= samples <= MAX_SAMPLES:
        raise ArgumentError(f"samples must be from 1 to {MAX_SAMPLES:,}, not {samples:,}")


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


__all__ = [
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "DIFF_SAMPLES",
    "MAX_SAMPLES",
    "check_sampling",
]
