"""What a simulation gives back: `Simulation` (percentiles, chances, shares) and
`Simulated` (a problem's point evaluation beside its simulation, and its sensitivity
when asked for), with their JSON (`to_dict`). The Monte Carlo that makes them is
`_simulation`'s; these types hold data only, so a renderer reads them without numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pmsize import _display
from pmsize._drivers import Sensitivity, ValueOfInformation
from pmsize._pairs import Correlation
from pmsize._results import Evaluation
from pmsize._summary import Histogram, Summary

# said beside a tornado when the problem declares correlations
TORNADO_NOTE = (
    "one input at a time, every other input central; the declared correlations are not "
    "applied (simulate and the value of information use them)"
)


TOO_FEW_SE = 0.01  # P(NPV > 0)'s standard error past which a table says "too few samples"


@dataclass(frozen=True)
class ScenarioFigures:
    """One case of a simulation whose scenarios are drawn (SPEC §14): the base case or a
    scenario, its probability, and its figures over the samples that drew it."""

    name: str
    probability: float
    mean_npv: float | None  # None when no sample drew it (or none has a finite NPV)
    p_npv_positive: float | None  # None when no sample drew it
    samples: int  # how many samples drew it

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "probability": self.probability,
            "mean_npv": self.mean_npv,
            "p_npv_positive": self.p_npv_positive,
        }


@dataclass(frozen=True)
class Simulation:
    """What the samples say about one problem (SPEC §5 `simulation`)."""

    samples: int
    seed: int
    numpy_version: str
    ranged_inputs: tuple[str, ...]
    npv: Summary
    roi: Summary
    ceiling: Summary
    p_npv_positive: float
    verdicts: dict[str, float]  # verdict -> share of samples, in VERDICTS order
    set_by: dict[str, float]  # alternative name (or "none") -> share of samples
    histogram: Histogram
    value_of_information: tuple[ValueOfInformation, ...] = ()  # highest first
    correlations: tuple[Correlation, ...] = ()  # as declared, in file order (SPEC §10)
    # each case's figures, base first, when scenarios with probabilities are drawn (SPEC
    # §14): the figures above are then over the mixture of them; empty otherwise
    scenarios: tuple[ScenarioFigures, ...] = ()

    @property
    def p_npv_positive_se(self) -> float:
        """The standard error of P(NPV > 0), sqrt(p (1 - p) / n): a share of n samples
        is a binomial proportion."""
        p = self.p_npv_positive
        return math.sqrt(p * (1 - p) / self.samples)

    @property
    def too_few_samples(self) -> bool:
        """Whether P(NPV > 0) is known to worse than one percentage point (its standard
        error is over 0.01): the table then says so."""
        return self.p_npv_positive_se > TOO_FEW_SE

    def to_dict(self) -> dict[str, Any]:
        """SPEC §5's `simulation` object, with the numpy version, the ranged inputs and the
        NPV histogram; `correlations` (`{a, b, coefficient}` in file order) when the
        problem declares any; and `scenarios` (`{name, probability, mean_npv,
        p_npv_positive}`, base first) when its scenarios are drawn."""
        found = {
            "samples": self.samples,
            "seed": self.seed,
            "numpy_version": self.numpy_version,
            "npv": self.npv.to_dict(se=True),
            "roi": self.roi.to_dict(),
            "ceiling_per_customer": self.ceiling.to_dict(),
            "p_npv_positive": self.p_npv_positive,
            "p_npv_positive_se": self.p_npv_positive_se,
            "verdicts": {str(verdict): share for verdict, share in self.verdicts.items()},
            "set_by": dict(self.set_by),
            "ranged_inputs": list(self.ranged_inputs),
            "npv_histogram": {
                "low": self.histogram.low,
                "high": self.histogram.high,
                "counts": list(self.histogram.counts),
                "outside": self.histogram.outside,
            },
        }
        if self.correlations:
            found["correlations"] = [c.to_dict() for c in self.correlations]
        if self.scenarios:
            found["scenarios"] = [s.to_dict() for s in self.scenarios]
        return found


@dataclass(frozen=True)
class Simulated:
    """One problem's point evaluation beside its simulation (and sensitivity, when asked)."""

    evaluation: Evaluation
    simulation: Simulation
    sensitivity: Sensitivity | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """The result as `simulate --format json` writes it (`sensitivity --format json` when
        the sensitivity was asked for): the evaluation's record and its `simulation`."""
        record = self.evaluation.to_dict()
        if self.sensitivity is not None:
            record |= {
                "tornado": [
                    {
                        "input": bar.input,
                        "low_value": bar.low_value,
                        "high_value": bar.high_value,
                        "npv_at_low": bar.npv_at_low,
                        "npv_at_high": bar.npv_at_high,
                        "swing": bar.swing,
                    }
                    for bar in self.sensitivity.tornado
                ],
                "break_even": [
                    {
                        "input": b.input,
                        "value": b.value,
                        "assumed": b.assumed,
                        "values": list(b.values),
                    }
                    for b in self.sensitivity.break_even
                ],
                "value_of_information": [
                    {"input": v.input, "evpi": v.evpi}
                    for v in self.sensitivity.value_of_information
                ],
            }
            if self.simulation.correlations:  # the tornado does not apply them (SPEC §10)
                record["tornado_note"] = TORNADO_NOTE
        return record | {"simulation": self.simulation.to_dict()}

    def __repr__(self) -> str:
        """One line a notebook can show: the chance of paying back and the mean NPV over
        how many samples (the dataclass's own repr ran to kilobytes)."""
        e, s = self.evaluation, self.simulation
        mean = "n/a" if s.npv.mean is None else f"{s.npv.mean:,.0f} {e.currency}"
        return (
            f"<Simulated {e.name!r}: P(NPV > 0) {s.p_npv_positive:.1%}, mean NPV {mean}, "
            f"{s.samples:,} samples, seed {s.seed}>"
        )

    def _repr_html_(self) -> str | None:
        """What a notebook shows: what `pmsize simulate` (or `sensitivity`, when asked for)
        prints (drawn by render.notebook)."""
        return _display.drawn(self, "html")

    def to_json(self, *, ascii_only: bool = False) -> str:
        """`to_dict()` as pmsize writes JSON (see `jsontext`), newline-terminated."""
        from pmsize import _jsontext as jsontext

        return jsontext.dumps(self.to_dict(), ascii_only=ascii_only)


__all__ = ["TOO_FEW_SE", "TORNADO_NOTE", "ScenarioFigures", "Simulated", "Simulation"]
