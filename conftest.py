"""Repository-wide pytest setup.

Hypothesis profiles: ``default`` keeps the suite to a few minutes on two cores; ``ci``
is the same but derandomized so a red CI run is reproducible; ``thorough`` is for
local bug hunts (HYPOTHESIS_PROFILE=thorough).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile(
    "thorough", deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow]
)
_default = "ci" if os.environ.get("CI") else "default"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
