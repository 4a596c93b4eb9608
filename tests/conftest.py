"""The one Hypothesis configuration of the suite: deterministic in CI, exploratory elsewhere.

Two profiles, chosen once for the whole run:

- ``ci`` (when the ``CI`` environment variable is set, as CI services set it): every run
  draws the same examples (``derandomize``, no example database), so a red build is red
  again on a rerun and on a laptop, and a failure prints the blob that replays it
  (``@reproduce_failure``). Found bugs are pinned with ``@example`` on the property.
- ``dev`` (otherwise): random draws, the failures kept in ``.hypothesis/`` and replayed
  first next time, and more examples than CI: this is where new failures are found.

``HYPOTHESIS_PROFILE=ci`` (or ``dev``) overrides the choice, e.g. to replay CI locally.
A property that needs another number of examples says so with ``@settings(max_examples=N)``
and a comment; everything else comes from here.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil

import pytest
from hypothesis import HealthCheck, settings

import translate

# Hypothesis also draws the constants it finds in the non-test modules imported so far
# (hypothesis.internal.constants_ast): whichever translate modules earlier tests happened
# to import would change what a test draws, even derandomized, so that a test run alone
# would not draw what it drew in the whole suite. All of them are imported first.
for _module in pkgutil.walk_packages(translate.__path__, "translate."):
    if _module.name != "translate.__main__":  # (that one runs the command)
        with contextlib.suppress(Exception):  # a module that cannot import fails its tests
            importlib.import_module(_module.name)

# The whole-surface strategies (``strategies.from_type``) draw large structs, and the
# round trips go through the SDKs' validators: slow and big by design, not by accident.
# Timing is not a property of the code on a shared machine, hence no deadline either.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

CI_EXAMPLES = 150

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=_SUPPRESSED,
)
settings.register_profile(
    "dev",
    max_examples=2 * CI_EXAMPLES,
    print_blob=True,
    deadline=None,
    suppress_health_check=_SUPPRESSED,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def pytest_report_header(config: pytest.Config) -> str:
    # ``--hypothesis-profile``, when given, loads its profile after this module
    name = config.getoption("hypothesis_profile", default=None) or PROFILE
    return f"hypothesis profile: {name} ({settings.default.max_examples} examples)"
