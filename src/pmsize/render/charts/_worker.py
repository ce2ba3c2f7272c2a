"""What a process drawing a page's charts needs, imported once by the fork server each
such process is forked from (`_processes`), so that none imports matplotlib itself."""

from pmsize.render.charts._setup import import_matplotlib

import_matplotlib()

import matplotlib.backends.backend_agg  # noqa: E402
import matplotlib.backends.backend_svg  # noqa: E402
import matplotlib.figure  # noqa: E402, F401

from pmsize.render.charts import _draw  # noqa: E402, F401
