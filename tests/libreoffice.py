"""Open a workbook in LibreOffice and save it again: a spreadsheet application's reading."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def resaved(path: Path, scratch: Path) -> Path:
    """`path` opened by LibreOffice (headless) and saved as .xlsx under `scratch`."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed: `make install` (system-packages.txt)"
    out = scratch / "resaved"
    profile = f"-env:UserInstallation={(scratch / 'libreoffice-profile').as_uri()}"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", profile,
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    saved = out / path.with_suffix(".xlsx").name
    assert saved.exists(), f"LibreOffice could not open {path.name}: {done.stdout}{done.stderr}"
    return saved
