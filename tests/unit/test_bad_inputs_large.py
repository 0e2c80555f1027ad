"""The bad-input corpus, size: a 100 MB CSV file is read as a stream (SPEC §8 scale).

Ingestion runs in a subprocess with tracemalloc on and DuckDB under a memory limit
(FANGPIN_MEMORY_LIMIT, which every connection of the project takes). Python must
never hold more than a few megabytes of the file (a reader that read the file whole, into bytes
or text, would hold at least its 100 MB); DuckDB spills to disk past its limit. The machinery is
in test_bad_inputs.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.unit.landing import MEASURE_HEADER
from tests.unit.test_bad_inputs import (
    Case,
    Expected,
    Ledger,
    Unit,
    catalogue,
    loaded,
    rows_are,
    write_landing,
)

CASES: list[Case] = []
case = catalogue(CASES)

SIZE = "Size"
LARGE_BYTES = 100 * 10**6
# one measure row after its 措施编号, about 100 bytes in GB18030
LARGE_ROW = (
    ",{hid},健康帮扶,家庭医生签约服务及慢性病门诊报销随访记录,2023-05-01,,1200.50,行业资金\n"
)
# Python may hold a few chunks of the file at a time (readers.CHUNK_BYTES), never all of it
PYTHON_PEAK_LIMIT = 16 * 2**20
DUCKDB_MEMORY_LIMIT_SETTING = "256MiB"
DUCKDB_MEMORY_LIMIT = "256.0 MiB"  # as DuckDB shows it
# the whole process: the interpreter and its libraries, DuckDB's share, a few chunks
PROCESS_PEAK_LIMIT = 768 * 2**20


@case(
    SIZE,
    "100 MB CSV",
    "a 100 MB GB18030 measures ledger (about a million rows): Python holds a megabyte of it at "
    "a time, DuckDB works under a memory limit",
    "loaded",
)
def csv_of_100_mb(u: Unit) -> Expected:
    u.households()
    path, rows = u.path(u.measures()), 0
    tail = LARGE_ROW.format(hid=u.hid(1)).encode("gb18030")
    with path.open("wb") as f:
        f.write((",".join(MEASURE_HEADER) + "\n").encode("gb18030"))
        while f.tell() < LARGE_BYTES:
            f.write(b"".join(b"M%07d%s" % (n, tail) for n in range(rows + 1, rows + 10_001)))
            rows += 10_000
    sql = (
        "select count(*), max(source_row_number) from raw.measures "
        f"where source_file = '{u.measures()}'"
    )
    return Expected(
        [loaded(u.measures(), "measures", rows)], check=rows_are(sql, [(rows, rows + 1)])
    )


# ingest in a fresh interpreter: the regions and the survey, then the measures under
# tracemalloc, every DuckDB connection under the project's memory limit setting
LARGE_RUN = """
import json, os, resource, tracemalloc
from datetime import date
from pathlib import Path

os.environ["FANGPIN_MEMORY_LIMIT"] = "{limit_setting}"

from ingestion import store
from ingestion.load import ingest_group

landing, db, run_date = Path("{landing}"), Path("{db}"), date(2024, 6, 30)
for group in ("regions", "survey"):
    ingest_group(group, landing, db, run_date)
tracemalloc.start()
result = ingest_group("measures", landing, db, run_date)
_, peak = tracemalloc.get_traced_memory()
with store.connect(db) as con:
    limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
ledger = [
    dict(file=r.file, source=r.source, status=r.status, rows_read=r.rows_read,
         rows_loaded=r.rows_loaded, rows_quarantined=r.rows_quarantined, message=r.message,
         sheet=r.sheet)
    for r in result.ledger
]
print(json.dumps({{
    "python_peak_bytes": peak,
    "process_peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "duckdb_memory_limit": limit,
    "ledger": ledger,
}}))
"""


def test_csv_of_100_mb_streams_with_bounded_memory(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    units, expected = write_landing(landing, CASES)
    unit, outcome = units["csv_of_100_mb"], expected["csv_of_100_mb"]
    assert (landing / unit.measures()).stat().st_size >= LARGE_BYTES
    db = tmp_path / "restricted.duckdb"
    script = LARGE_RUN.format(landing=landing, db=db, limit_setting=DUCKDB_MEMORY_LIMIT_SETTING)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    figures = json.loads(done.stdout.splitlines()[-1])
    ledger = [Ledger(**row) for row in figures["ledger"] if unit.owns(row["file"])]
    assert ledger == outcome.ledger
    assert outcome.check is not None
    outcome.check(db)
    assert figures["duckdb_memory_limit"] == DUCKDB_MEMORY_LIMIT
    assert figures["python_peak_bytes"] < PYTHON_PEAK_LIMIT
    assert figures["process_peak_bytes"] < PROCESS_PEAK_LIMIT
