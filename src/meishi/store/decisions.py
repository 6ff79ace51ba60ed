"""The should-return verdicts you were given, kept for the agenda, over the plain connection."""

from __future__ import annotations

import datetime as dt

from meishi.store.sql import ReadConnection, moment, written


def keep_decision(connection: ReadConnection, series: str, verdict: str, now: dt.datetime) -> None:
    """Keep the verdict given on a series now (a write: the connection holds the lock)."""
    connection.execute(
        "INSERT INTO decision (series, verdict, decided_at) VALUES (?, ?, ?)",
        (series, verdict, written(connection, now)),
    )


def last_decision(connection: ReadConnection, series: str) -> tuple[dt.datetime, str] | None:
    """When the last verdict on a series was given (aware, UTC), and what it was."""
    row = connection.execute(
        "SELECT decided_at, verdict FROM decision WHERE series = ?"
        " ORDER BY decided_at DESC, id DESC LIMIT 1",
        (series,),
    ).fetchone()
    return None if row is None else (moment(row[0]), row[1])
