"""What the wheel ships: the package, its type marker, the schema and the currency list."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_type_marker_and_the_schema(tmp_path: Path) -> None:
    [wheel] = list(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"pmsize/py.typed", "pmsize/__init__.py", "pmsize/starter.yaml"} <= names
        shipped = archive.read("pmsize/pmsize.schema.json")
    assert shipped == (ROOT / "pmsize.schema.json").read_bytes()
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
