"""What the wheel ships: the package, its type marker, the schema, the currency list and
the report's templates."""

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
        # the report's page: `pmsize report` loads them with jinja2's PackageLoader
        assert {"pmsize/templates/report.html.j2", "pmsize/templates/report.css"} <= names
        shipped = archive.read("pmsize/pmsize.schema.json")
    assert shipped == (ROOT / "pmsize.schema.json").read_bytes()
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
