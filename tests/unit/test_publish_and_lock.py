"""Publishing the analyst snapshot is atomic; one run per output directory at a time."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from orchestration.lock import RunLockedError, run_lock
from reporting.publish import publish_warehouse


def _warehouse(path: Path, version: int, rows: int = 50_000) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            f"create or replace table marts.fct_x as "
            f"select {version} as version, range as n from range({rows})"
        )
    return path


def test_published_snapshot_is_a_read_only_copy(tmp_path: Path) -> None:
    built = _warehouse(tmp_path / "warehouse.duckdb", version=1)
    publication = publish_warehouse(built, tmp_path / "published", run_id="r1")
    assert publication.path == tmp_path / "published" / "warehouse.duckdb"
    assert not publication.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with duckdb.connect(str(publication.path), read_only=True) as con:
        assert con.execute("select count(*), min(version) from marts.fct_x").fetchone() == (
            50_000,
            1,
        )
    # the staging copy is gone: only the snapshot and its manifest remain
    names = {p.name for p in (tmp_path / "published").iterdir()}
    assert names == {"warehouse.duckdb", "published.json"}
    # the manifest gives the size and SHA-256 of the published bytes, equal to the build's
    manifest = json.loads((tmp_path / "published" / "published.json").read_text())
    data = publication.path.read_bytes()
    assert data == built.read_bytes()
    assert manifest["bytes"] == publication.bytes == len(data)
    assert manifest["sha256"] == publication.sha256 == hashlib.sha256(data).hexdigest()


def test_a_warehouse_without_marts_is_not_published(tmp_path: Path) -> None:
    built = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(built)).close()
    with pytest.raises(RuntimeError, match="no marts"):
        publish_warehouse(built, tmp_path / "published")
    assert not (tmp_path / "published" / "warehouse.duckdb").exists()


def test_readers_see_old_or_new_snapshot_never_an_error(tmp_path: Path) -> None:
    published = tmp_path / "published"
    publish_warehouse(_warehouse(tmp_path / "w0.duckdb", version=0), published)
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as con:
                    count, low, high = con.execute(
                        "select count(*), min(version), max(version) from marts.fct_x"
                    ).fetchone()
                assert count == 50_000 and low == high
                seen.add(low)
            except BaseException as exc:  # noqa: BLE001 - every failure of a reader counts
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for version in range(1, 6):
            built = _warehouse(tmp_path / f"w{version}.duckdb", version=version)
            publish_warehouse(built, published)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert seen and seen <= set(range(6))


def test_second_run_on_the_same_output_is_refused(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from orchestration.lock import run_lock\n"
            "with run_lock(Path(sys.argv[1])):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(30)\n",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with (
            pytest.raises(RunLockedError, match="another fangpin run is writing"),
            run_lock(tmp_path),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its process: the next run goes ahead without manual steps
    with run_lock(tmp_path):
        pass


def test_copies_left_by_a_killed_publication_are_cleared(tmp_path: Path) -> None:
    published = tmp_path / "published"
    published.mkdir()
    stale = published / ".warehouse.duckdb.12345.tmp"
    stale.write_bytes(b"half a copy")
    publish_warehouse(_warehouse(tmp_path / "w.duckdb", version=1), published)
    assert not stale.exists()
