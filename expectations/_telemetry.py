"""Usage telemetry of Great Expectations and Soda switched off, before either is imported.

Every module of this package that imports GX or Soda imports this one first, so the switches
hold however the package is loaded. The restricted store holds personal data; nothing about a
run leaves the machine.

- ``SODA_CORE_TELEMETRY_ENABLED=false``: soda-core 4 reads it once, when
  ``soda_core.contracts.api.verify_api`` is imported and builds its ``SodaTelemetry`` singleton;
  with it false no OpenTelemetry exporter is set up.
- ``GX_ANALYTICS_ENABLED=false``: great-expectations 1.24 ships no analytics emitter any more
  (the variable survives only in a docstring); set anyway so a later version inherits the
  choice. The GX context is also built with ``analytics_enabled=False``.
- ``DO_NOT_TRACK=1``: the cross-tool convention, for anything else that honours it.

The variables are assigned, not defaulted, so a shell setting or a ``.env`` file cannot turn
telemetry back on (soda-core loads ``.env`` without overriding the environment).
"""

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["SODA_CORE_TELEMETRY_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
