"""Where the store is: a SQLite file (the default) or a PostgreSQL server's database URL.

Plain values and checks, no database library: the run decides the location (from
MEISHI_DATABASE_URL, the database.url setting, or the home's file) before anything heavy
is imported. The store (store/engine.py) opens it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from meishi.errors import BadValue

# What a server URL may start with; each means psycopg 3, SQLAlchemy's name for it first.
SERVER_SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")
DRIVER = "postgresql+psycopg"
SET_PASSWORD = "meishi config set-password database"


class Location(NamedTuple):
    """The store's location: a SQLite file, or a server database's URL."""

    path: Path | None = None  # the SQLite file
    url: str | None = None  # the server's URL, as SQLAlchemy takes it (postgresql+psycopg://)

    @property
    def on_server(self) -> bool:
        """True for a PostgreSQL database, False for a SQLite file."""
        return self.url is not None


def in_file(path: Path) -> Location:
    """The SQLite file at `path`."""
    return Location(path=path)


def on_server(url: str) -> Location:
    """The server database a URL names, checked (postgresql://user@host/db)."""
    return Location(url=server_url(url))


def server_url(url: str) -> str:
    """A PostgreSQL URL with the driver meishi uses named, refusing any other kind."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if scheme not in SERVER_SCHEMES or not rest:
        raise BadValue(
            "the database URL must start with postgresql:// "
            "(e.g. postgresql://me@db.example.com/meishi); unset it to use the local file"
        )
    return f"{DRIVER}://{rest}"


def refuse_password(url: str) -> str:
    """The URL, refused when it holds a password (config.toml is no place for one)."""
    if urlsplit(server_url(url)).password is not None:
        raise BadValue(
            f"the database URL holds a password; remove it and use `{SET_PASSWORD}` "
            "or libpq's ~/.pgpass instead"
        )
    return url.strip()


def login_of(url: str) -> tuple[str, str]:
    """The (user, host) a server URL logs in as, naming its keyring entry."""
    parts = urlsplit(server_url(url))
    user = unquote(parts.username or "")
    host = parts.hostname or "localhost"
    if not user:
        raise BadValue(
            "the database URL names no user; give one (postgresql://USER@host/db) "
            "before storing its password"
        )
    return user, host
