"""Landing files → restricted raw store: read, map headers, validate, quarantine, load."""
