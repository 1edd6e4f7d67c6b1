"""DuckDB side of the load: one transaction per quarter, delete-then-insert, Arrow batches in.

Atomicity: ``Warehouse.quarter`` opens a transaction, deletes the quarter from every loader table, and
commits only when every member of the zip loaded. Any error (or a killed process: DuckDB never replays an
uncommitted transaction) leaves the quarter exactly as it was before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from loaders.errors import LoadError
from loaders.report import MemberReport
from loaders.scan import LINE_NUMBER, Reject
from loaders.schema import QUARTER_TABLES, ensure_schema, qualified, quote, table_columns
from loaders.settings import SettingsError, apply_settings
from loaders.storage import connect_warehouse

_VIEW = "faers_load_batch"


class Warehouse:
    """A connection to the DuckDB file the loader writes."""

    def __init__(self, db_path: Path) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # no checkpoint vacuum (loaders.storage.keep_row_groups): a whole load ~30% faster; a reload still
            # frees the replaced quarter's blocks (2008Q2 loaded three times: 113-114 blocks in use without vacuum,
            # 114-115 with)
            self.conn = connect_warehouse(db_path)
        except duckdb.Error as error:
            raise LoadError(str(db_path), f"cannot open the DuckDB file: {error}") from error
        # Row order is irrelevant (every row carries its line number); this lets DuckDB append in parallel.
        self.conn.execute("SET preserve_insertion_order = false")
        # memory_limit / temp_directory from FAERS_MEMORY_LIMIT / FAERS_TEMP_DIR (loaders.settings); the loader's
        # limit is capped at 512 MB: its buffer pool would only cache written blocks (whole load < 1 GiB)
        try:
            apply_settings(self.conn, db_path, loader=True)
        except SettingsError as error:
            self.conn.close()
            raise LoadError(str(db_path), str(error)) from error
        ensure_schema(self.conn)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back by DuckDB)."""
        self.conn.close()

    @contextmanager
    def quarter(self, quarter: str) -> Iterator[None]:
        """One transaction: delete ``quarter`` from every loader table, run the body, commit.

        Rolls back (and re-raises) on any error, leaving the quarter as it was."""
        self.conn.execute("BEGIN TRANSACTION")
        try:
            for table in QUARTER_TABLES:
                self.conn.execute(f"DELETE FROM {qualified(table)} WHERE quarter = ?", [quarter])
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def add_columns(self, table: str, columns: Sequence[str]) -> None:
        """Add ``columns`` (VARCHAR) to ``raw.<table>`` unless it has them: a header's unknown columns,
        NULL in every row loaded before. Inside the quarter's transaction, so a failed load adds none."""
        if not columns:
            return
        existing = table_columns(self.conn, table)
        for name in columns:
            if name not in existing:
                self.conn.execute(f"ALTER TABLE {qualified(table)} ADD COLUMN {quote(name)} VARCHAR")

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: pa.Table | pa.RecordBatchReader,
        *,
        quarter: str,
        source_file: str,
    ) -> None:
        """Append ``rows`` (``columns`` + line_number) to ``raw.<table>``; other columns stay NULL.

        One statement per member, fed by a RecordBatchReader: DuckDB streams it through its optimistic
        writer, so memory stays bounded inside the quarter's transaction (many small INSERTs of Arrow
        tables in one transaction grew memory with the data, measured)."""
        names = ", ".join(quote(c) for c in columns)
        self.conn.register(_VIEW, rows)
        try:
            self.conn.execute(
                f"INSERT INTO {qualified(table)} ({names}, quarter, source_file, line_number) "
                f"SELECT {names}, ?, ?, {LINE_NUMBER} FROM {_VIEW}",
                [quarter, source_file],
            )
        finally:
            self.conn.unregister(_VIEW)

    def insert_rejects(self, rejects: Sequence[Reject], *, quarter: str, table: str, source_file: str) -> None:
        """Append rejected lines to ``raw.rejects``."""
        if not rejects:
            return
        frame = pa.table(
            {
                "line_number": pa.array([r.line_number for r in rejects], pa.int64()),
                "raw_line": pa.array([r.raw_line for r in rejects], pa.string()),
                "reason": pa.array([r.reason for r in rejects], pa.string()),
            }
        )
        self.conn.register(_VIEW, frame)
        try:
            self.conn.execute(
                f"INSERT INTO {qualified('rejects')} "
                "(quarter, table_name, source_file, line_number, raw_line, reason) "
                f"SELECT ?, ?, ?, line_number, raw_line, reason FROM {_VIEW}",
                [quarter, table, source_file],
            )
        finally:
            self.conn.unregister(_VIEW)

    def log_member(self, member: MemberReport, *, quarter: str, zip_file: str) -> None:
        """Record one loaded member in ``raw.load_log`` (header changes as comma-separated names, or NULL)."""
        counts = member.counts
        self.conn.execute(
            f"INSERT INTO {qualified('load_log')} (quarter, zip_file, table_name, source_file, lines_read, "
            "rows_loaded, rows_rejected, loaded_at, lines_blank, lines_joined, unknown_columns, missing_columns) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?, ?)",
            [
                quarter,
                zip_file,
                member.table,
                member.source_file,
                counts.lines_read,
                counts.rows_loaded,
                counts.rows_rejected,
                counts.lines_blank,
                counts.lines_joined,
                ",".join(member.unknown_columns) or None,
                ",".join(member.missing_columns) or None,
            ],
        )
