"""What changed in the landing area: a fingerprint of the files of each source group.

A group's fingerprint changes when one of its files is added, removed, rewritten or touched;
the landing sensor compares fingerprints to start runs for just the groups that changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingestion.config import load_config
from ingestion.discovery import discover
from ingestion.load import SOURCE_GROUPS


def group_fingerprints(landing_dir: Path) -> dict[str, str]:
    """Per source group, a digest of its files' names, sizes and modification times."""
    group_of = {source: group for group, sources in SOURCE_GROUPS.items() for source in sources}
    digests = {group: hashlib.sha256() for group in SOURCE_GROUPS}
    if landing_dir.is_dir():
        matched, _ = discover(landing_dir, load_config())
        for landing_file in matched:
            stat = landing_file.path.stat()
            line = f"{landing_file.file}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode()
            for group in sorted({group_of[t.source] for t in landing_file.targets}):
                digests[group].update(line)
    return {group: digest.hexdigest() for group, digest in digests.items()}
