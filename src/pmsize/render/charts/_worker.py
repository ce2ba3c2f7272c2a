"""What a process drawing a page's charts needs, imported once by the fork server each
such process is forked from (`_processes`), so that none imports matplotlib itself."""

import gc

from pmsize.render.charts._setup import import_matplotlib

# No collection while matplotlib is imported: nothing it makes is garbage, and the
# collector walked it again and again (a tenth of the import). The fork server then
# only forks; each worker turns collection back on as it starts (`_processes._started`).
gc.disable()
import_matplotlib()

import matplotlib.backends.backend_agg  # noqa: E402
import matplotlib.backends.backend_svg  # noqa: E402
import matplotlib.figure  # noqa: E402, F401

from pmsize.render.charts import _draw  # noqa: E402, F401

# What was imported lives as long as the workers: frozen, no collection walks it in a
# worker, and its pages stay shared with the fork server (a collection writes to each
# object it walks, and a page written to is copied). A fifth off each worker's charts.
gc.freeze()
