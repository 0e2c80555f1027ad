"""No data leaves the machine: the whole pipeline runs without a network and tries no connection."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.generator import generate

pytestmark = pytest.mark.integration

FANGPIN = Path(sys.executable).parent / "fangpin"
NETWORK_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?,")


def _can_unshare_network() -> bool:
    if shutil.which("unshare") is None or shutil.which("strace") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare_network(), reason="needs unshare -n (root) and strace")
def test_pipeline_runs_offline_with_zero_outbound_connection_attempts(tmp_path: Path) -> None:
    landing, out, trace = tmp_path / "landing", tmp_path / "out", tmp_path / "connect.trace"
    generate(out_dir=landing, households=200, seed=11, years=[2022, 2023], fmt="mixed")
    env = {k: v for k, v in os.environ.items() if k != "FANGPIN_SALT"}
    completed = subprocess.run(
        ["unshare", "-n", "strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
         str(FANGPIN), "run", "--demo", "--landing", str(landing), "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "run: succeeded" in completed.stdout
    attempts = [line for line in trace.read_text().splitlines() if NETWORK_CONNECT.search(line)]
    assert attempts == [], "\n".join(attempts[:20])
    # the trace did record the run's processes: an empty trace would prove nothing
    assert trace.stat().st_size > 0
