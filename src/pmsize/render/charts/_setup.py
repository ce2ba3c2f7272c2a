"""matplotlib, imported on first use (`pmsize report` only) so that it never fails or warns.

It is used through its object API (no pyplot, no GUI backend), with a temporary
configuration folder when the usual one cannot be written (a read-only $HOME).
What it says of a matplotlibrc it reads on import is not shown: every chart is drawn
from matplotlib's own defaults plus `RC` (see the package's docstring).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

_config: dict[str, str] = {}


def import_matplotlib() -> Any:
    """matplotlib, imported with a configuration folder it can write.

    When neither MPLCONFIGDIR is set nor the usual folders (under $XDG_CONFIG_HOME and
    $XDG_CACHE_HOME, else $HOME) can be written, MPLCONFIGDIR is set for the rest of the
    process to a temporary folder (`config_dir`): matplotlib would warn on stderr and
    make one of its own, which it leaves behind."""
    if (
        "matplotlib" not in sys.modules
        and "MPLCONFIGDIR" not in os.environ
        and not _default_dirs_writable()
    ):
        os.environ["MPLCONFIGDIR"] = config_dir()
    # what it says of a matplotlibrc it reads on import (a bad line, an unknown key) is
    # about settings the charts do not use (see the package's docstring): not shown
    log = logging.getLogger("matplotlib")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import matplotlib
    finally:
        log.setLevel(level)
    return matplotlib


def _default_dirs_writable() -> bool:
    """Whether matplotlib could make its usual configuration and cache folders."""
    home = Path("~").expanduser()
    for variable, fallback in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache")):
        base = os.environ.get(variable)
        folder = (Path(base) if base else home / fallback) / "matplotlib"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        if not os.access(folder, os.W_OK):
            return False
    return True


def config_dir() -> str:
    """A temporary folder for matplotlib's configuration and font cache, removed at exit."""
    if "dir" not in _config:
        _config["dir"] = tempfile.mkdtemp(prefix="pmsize-matplotlib-")
        atexit.register(shutil.rmtree, _config["dir"], ignore_errors=True)
    return _config["dir"]
