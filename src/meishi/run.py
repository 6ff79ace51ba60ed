"""One run of a command: where meishi's home is, what time it is, the settings and the
store, each taken once and handed to whoever needs them.

The root command starts a run; commands reach it through `cli/common.run()`. Nothing
heavy is imported here: `meishi --help` and `meishi search` stay fast, and the settings
are read and the store opened only when a command first asks for them. This is where
the database's location is decided: MEISHI_DATABASE_URL, else the database.url setting,
else the SQLite file in the home.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from meishi import home as homes

if TYPE_CHECKING:
    from meishi.home import Home
    from meishi.location import Location
    from meishi.store.engine import Store
    from meishi.store.reader import ReadConnection


class Run:
    """The home, the clock read once, and the settings and store, each opened at most once."""

    def __init__(self, home: Home, now: dt.datetime) -> None:
        """A run in this home, its clock read at `now` (aware, in the local zone)."""
        self.home = home
        self.now = now
        self._settings: dict[str, str] | None = None
        self._store: Store | None = None
        self._location: Location | None = None

    @property
    def today(self) -> dt.date:
        """The run's date on this machine."""
        return self.now.date()

    @property
    def settings(self) -> dict[str, str]:
        """The settings in config.toml, read when first asked for."""
        if self._settings is None:
            from meishi import config

            self._settings = config.load(self.home.config_file)
        return self._settings

    def forget_settings(self) -> None:
        """Read config.toml again when next asked: the command has just changed it."""
        self._settings = None

    @property
    def server_url(self) -> str | None:
        """The server database set (MEISHI_DATABASE_URL, else database.url), unchecked."""
        return self.home.database_url or self.settings.get("database.url") or None

    @property
    def location(self) -> Location:
        """Where the store is: the environment's URL, the setting's, or the home's file."""
        if self._location is None:
            from meishi import location

            url = self.server_url
            self._location = (
                location.on_server(url) if url else location.in_file(self.home.database)
            )
        return self._location

    @property
    def store(self) -> Store:
        """The store, opened (and brought up to date) when first asked for."""
        if self._store is None:
            from meishi.store.engine import open_store

            self._store = open_store(self.location, self.home.keyring_named)
        return self._store

    def clock(self) -> dt.datetime:
        """The time right now, for what takes a while (a batch of mail): not the run's start."""
        return dt.datetime.now().astimezone()

    def reader(self) -> AbstractContextManager[ReadConnection]:
        """A plain read-only connection to the store, for the fast read paths."""
        from meishi.store.reader import reader

        return reader(self.location, self.home.keyring_named)

    def writer(self) -> AbstractContextManager[ReadConnection]:
        """A plain connection holding the write lock, for the fast write paths; its changes
        are committed together when the block ends, or not at all."""
        from meishi.store.writer import writer

        return writer(self.location, self.home.keyring_named)

    def close(self) -> None:
        """Close the store if the run opened it."""
        opened, self._store = self._store, None
        if opened is not None:
            opened.close()


_current: ContextVar[Run | None] = ContextVar("meishi_run", default=None)


def start() -> Run:
    """A run beginning now: the home read from the environment, the clock read once."""
    return Run(homes.resolve(), dt.datetime.now().astimezone())


def current() -> Run | None:
    """The run of the `running()` block this code is in, or None outside one."""
    return _current.get()


@contextmanager
def running() -> Iterator[Run]:
    """A run for the length of a `with` block (the current one inside it), its store closed
    at the end."""
    started = start()
    token = _current.set(started)
    try:
        yield started
    finally:
        _current.reset(token)
        started.close()
