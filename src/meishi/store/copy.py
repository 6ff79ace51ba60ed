"""Copying the store to another database, either engine: `meishi db copy --to URL`.

The destination must hold nothing yet. Its schema is built at the newest revision and
every table filled in dependency order (SQLAlchemy Core over the models' metadata, ids
kept) in ONE transaction on it, then the counts are checked table by table and its
search index rebuilt; anything wrong rolls all of it back. Card images move between the
two ways of keeping them: a file in cards/ beside a SQLite database, the bytes in the
database on a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi.errors import BadValue, CopyMismatch, NotEmpty
from meishi.location import Location, in_file, on_server

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from meishi.store.engine import Store

BATCH = 500  # rows read and written at a time
IMAGES = "cardimage"
# Told how many rows are copied so far, and how many there are in all.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Copied:
    """What a copy did: where to, and the rows of each table it holds now."""

    where: str
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        """Every row copied."""
        return sum(self.counts.values())


def destination(url: str) -> Location:
    """The database a `--to` URL names: postgresql://… or sqlite:///path (SQLAlchemy's form:
    sqlite:////abs/path for an absolute path)."""
    text = url.strip()
    if text.startswith("sqlite:///") and len(text) > len("sqlite:///"):
        return in_file(Path(text.removeprefix("sqlite:///")).expanduser())
    if text.startswith("sqlite:"):
        raise BadValue("give the SQLite file as sqlite:///PATH (sqlite:////abs/path from /)")
    try:
        return on_server(text)
    except BadValue:
        raise BadValue(
            "the destination must be postgresql://USER@HOST/DB or sqlite:///PATH"
        ) from None


def copy_store(
    source: Store, url: str, keyring_named: str | None, data_dir: Path, progress: Progress
) -> Copied:
    """Copy everything in the store at `source` (its card image files in `data_dir`) into the
    empty database the URL names, checked; what was copied."""
    from meishi.store.engine import database_errors, engine_for, where

    to = destination(url)
    shown = where(to)
    if _same(to, source.location):
        raise NotEmpty(f"{shown} is the store itself; copy into a new, empty database")
    created = to.path is not None and not to.path.exists()
    try:
        engine = engine_for(to, keyring_named)
        try:
            with database_errors(shown), source_rows(source) as rows:
                counts = _fill(engine, rows, _images(data_dir, to), progress, shown)
        finally:
            engine.dispose()
    except BaseException:
        if created and to.path is not None:
            _remove_database(to.path)
        raise
    return Copied(shown, counts)


def _same(one: Location, other: Location) -> bool:
    """True when two locations name the same database (as far as their names tell)."""
    if one.path is not None and other.path is not None:
        return one.path.resolve() == other.path.resolve()
    return one.url is not None and one.url == other.url


@dataclass(frozen=True)
class SourceRows:
    """The source's tables in dependency order, their counts, and each one's rows."""

    connection: Connection
    tables: list[Table]
    counts: dict[str, int]

    def of(self, table: Table) -> Iterator[list[dict[str, Any]]]:
        """The table's rows in id order, a batch at a time."""
        from sqlalchemy import select

        result = self.connection.execute(select(table).order_by(*table.primary_key.columns))
        while batch := result.mappings().fetchmany(BATCH):
            yield [dict(row) for row in batch]


@contextmanager
def source_rows(source: Store) -> Iterator[SourceRows]:
    """The store's rows, read under its write lock so that nothing changes while they are."""
    locking = source.engine.execution_options(meishi_write=True)
    with locking.connect() as connection, connection.begin() as transaction:
        tables = meishi_tables()
        yield SourceRows(connection, tables, counts_of(connection, tables))
        transaction.rollback()  # nothing was written; the lock goes with it


def meishi_tables() -> list[Table]:
    """meishi's tables, each after those it refers to."""
    from sqlmodel import SQLModel

    import meishi.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    return list(SQLModel.metadata.sorted_tables)


def counts_of(connection: Connection, tables: list[Table]) -> dict[str, int]:
    """How many rows each table holds."""
    from sqlalchemy import func, select

    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in tables
    }


def _fill(
    engine: Engine,
    rows: SourceRows,
    images: Callable[[dict[str, Any]], dict[str, Any]],
    progress: Progress,
    shown: str,
) -> dict[str, int]:
    """Build the destination's schema and copy every row into it, in one transaction."""
    from meishi.store.engine import build_schema
    from meishi.store.index import driver_of, reindex

    with engine.execution_options(meishi_write=True).begin() as connection:
        build_schema(connection)
        _refuse_rows(counts_of(connection, rows.tables), shown)
        _copy_tables(connection, rows, images, progress)
        if connection.dialect.name == "postgresql":
            _sequences_past(connection, rows.tables)
        found = counts_of(connection, rows.tables)
        check_counts(rows.counts, found, shown)
        reindex(driver_of(connection))
    return found


def _copy_tables(
    connection: Connection,
    rows: SourceRows,
    images: Callable[[dict[str, Any]], dict[str, Any]],
    progress: Progress,
) -> None:
    """Every table's rows into the destination, in dependency order, ids kept."""
    total, done = sum(rows.counts.values()), 0
    progress(done, total)
    for table in rows.tables:
        for batch in rows.of(table):
            if table.name == IMAGES:
                batch = [images(row) for row in batch]
            connection.execute(table.insert(), batch)
            done += len(batch)
            progress(done, total)


def _refuse_rows(counts: Mapping[str, int], shown: str) -> None:
    """Refuse a destination that holds anything: a copy never mixes two stores."""
    if any(counts.values()):
        held = sum(counts.values())
        raise NotEmpty(
            f"{shown} is not empty (it holds {held} rows of meishi's); copy into a new, "
            "empty database, or drop and create this one first"
        )


def check_counts(expected: Mapping[str, int], found: Mapping[str, int], shown: str) -> None:
    """Refuse a copy whose tables do not hold as many rows as the store's."""
    wrong = [
        f"{name} {found.get(name, 0)} of {count}"
        for name, count in expected.items()
        if found.get(name, 0) != count
    ]
    if wrong:
        raise CopyMismatch(
            f"the copy in {shown} did not hold what the store holds ({', '.join(wrong)}); "
            "nothing was kept there, try again"
        )


def _sequences_past(connection: Connection, tables: list[Table]) -> None:
    """Set each table's id sequence past its highest id: the next row added gets a new one."""
    for table in tables:
        if "id" not in table.columns:
            continue
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
        )


def _images(data_dir: Path, to: Location) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How a card image row is kept at the destination: its bytes in the row on a server,
    else in a file in cards/ beside the SQLite database."""

    def kept(row: dict[str, Any]) -> dict[str, Any]:
        data = row["data"] or _file_bytes(data_dir / row["path"])
        if to.path is None:
            return {**row, "data": data}
        _write_image(to.path.parent / row["path"], data)
        return {**row, "data": None}

    return kept


def _file_bytes(path: Path) -> bytes | None:
    """A card image file's bytes, or None when this machine lacks it (the row is kept)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_image(target: Path, data: bytes | None) -> None:
    """Write a card image's file (owner-only) unless it is there or its bytes are unknown."""
    from meishi.files import own_output, private_dir

    if data is None or target.exists():
        return
    private_dir(target.parent)
    with own_output(target) as out:
        out.write(data)


def _remove_database(path: Path) -> None:
    """Remove a SQLite file the copy created and could not fill, with its -wal and -shm."""
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)
