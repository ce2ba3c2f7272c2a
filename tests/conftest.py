"""Test-wide settings.

In CI (the CI variable set), Hypothesis runs derandomized: the same examples every
run, so a green commit stays green. Locally it keeps exploring new examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
