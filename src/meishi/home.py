"""Where meishi keeps its data: one function decides, MEISHI_HOME overrides."""

import os
from pathlib import Path

APP_NAME = "meishi"
HOME_ENV = "MEISHI_HOME"


def user_dir() -> Path | None:
    """The single home set by MEISHI_HOME, or None for the platform's dirs."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Folder for the database (and, later, backups and card images)."""
    home = user_dir()
    if home is not None:
        return home
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Folder for config.toml and the user's own templates."""
    home = user_dir()
    if home is not None:
        return home
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def database_path() -> Path:
    """The SQLite database file."""
    return data_dir() / "meishi.db"


def config_path() -> Path:
    """The configuration file."""
    return config_dir() / "config.toml"


def templates_dir() -> Path:
    """The user's template folder; its templates override the bundled ones."""
    return config_dir() / "templates"


def private_dir(path: Path) -> Path:
    """Create a folder readable by the owner only (0700) if it is missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
