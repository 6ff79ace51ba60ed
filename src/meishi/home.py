"""Where meishi keeps its data, read from the environment once per run: MEISHI_HOME
overrides the platform's folders.

This is the one module that reads the environment; the run (run.py) asks it once and
hands the resulting Home to whoever needs a path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from meishi.location import Location

APP_NAME = "meishi"
HOME_ENV = "MEISHI_HOME"
DATABASE_ENV = "MEISHI_DATABASE_URL"  # a PostgreSQL database instead of the home's file
KEYRING_ENV = "PYTHON_KEYRING_BACKEND"  # the keyring library's own choice of keyring
EDITOR_ENVS = ("VISUAL", "EDITOR")  # the user's editor, as git looks for it
DEFAULT_EDITOR = "vi"


class Home(NamedTuple):
    """meishi's folders and what the environment chose for it, fixed for one run."""

    data: Path  # the database, card images, backups
    config: Path  # config.toml and the user's own templates
    keyring_named: str | None = None  # the keyring the environment names, for messages
    editor: str = DEFAULT_EDITOR  # the command that edits a file (drafts edit)
    database_url: str | None = None  # MEISHI_DATABASE_URL: a server's database, if set

    @property
    def database(self) -> Path:
        """The SQLite database file."""
        return self.data / "meishi.db"

    @property
    def location(self) -> Location:
        """The store the environment names: MEISHI_DATABASE_URL's, else the SQLite file (the
        run also looks at the database.url setting: Run.location)."""
        from meishi import location

        if self.database_url:
            return location.on_server(self.database_url)
        return location.in_file(self.database)

    @property
    def config_file(self) -> Path:
        """The configuration file."""
        return self.config / "config.toml"

    @property
    def templates(self) -> Path:
        """The user's template folder; its templates override the bundled ones."""
        return self.config / "templates"

    @property
    def cards(self) -> Path:
        """The folder of kept card images."""
        return self.data / "cards"

    @property
    def backups(self) -> Path:
        """The default folder for backups."""
        return self.data / "backups"

    def own_files(self) -> list[tuple[Path, str]]:
        """meishi's own files and folders, with what each is called when a write is refused."""
        from meishi.files import database_files

        database, *journals = database_files(self.database)
        return [
            (database, "meishi's database"),
            *((journal, "meishi's database journal") for journal in journals),
            (self.config_file, "meishi's config file"),
            (self.cards, "meishi's card images folder"),
        ]


def resolve(environ: Mapping[str, str] | None = None) -> Home:
    """The home this run uses: MEISHI_HOME when set, else the platform's folders."""
    environ = os.environ if environ is None else environ
    keyring_named = environ.get(KEYRING_ENV) or None
    editor = next((environ[name] for name in EDITOR_ENVS if environ.get(name)), DEFAULT_EDITOR)
    database_url = environ.get(DATABASE_ENV, "").strip() or None
    chosen = environ.get(HOME_ENV, "").strip()
    if chosen:
        folder = Path(chosen).expanduser()
        return Home(folder, folder, keyring_named, editor, database_url)
    import platformdirs

    return Home(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        keyring_named,
        editor,
        database_url,
    )


def in_folder(folder: Path) -> Home:
    """A home with everything in one folder (a sample home, a test's home)."""
    return Home(folder, folder)
