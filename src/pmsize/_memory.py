"""How the process's allocator treats memory freed between a simulation's blocks.

Its own module, without numpy, so that a command can set it before it imports anything
heavy (`report` starts its chart workers as early as it can).
"""

from __future__ import annotations

import functools
import sys


@functools.cache
def keep_freed_memory() -> None:
    """Ask glibc's malloc to keep the memory freed between blocks for the next block.

    It changes the allocator for the whole process, so the library never calls it:
    the `simulate` and `sensitivity` commands do, once, before they sample.

    Each block's intermediates (some tens of arrays of `BLOCK` floats, inside
    `_engine.size`) are freed at its end; glibc hands such memory back to the system
    at once and the next block page-faults it in again (about 640k page faults and
    3 s of system time at 10M samples). A higher trim threshold (and a fixed mmap
    threshold, which it requires) keep it in the process instead. Nothing elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has it as a no-op)
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)  # glibc's largest; per-sample columns stay mmapped
    mallopt(m_trim_threshold, 128 << 20)
