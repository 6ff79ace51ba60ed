"""Settings in config.toml: who you are, as drafts sign and send it."""

import os
import tomllib
from pathlib import Path

from meishi import home
from meishi.errors import BadValue

# Every setting meishi reads, with what it is for; nothing else may be set.
SETTINGS: dict[str, str] = {
    "me.name": "your name: signs drafts and is the From name",
    "me.email": "your email address: the From of drafts",
    "me.company": "your company, for signatures",
    "me.title": "your department and title, for signatures",
    "me.signature": "a signature block replacing name/company/title (\\n for new lines)",
}
HEADER_BOUND = {"me.name", "me.email"}


def load(path: Path | None = None) -> dict[str, str]:
    """All settings as flat dotted keys; an absent file means none are set."""
    path = path or home.config_path()
    try:
        with path.open("rb") as file:
            tree = tomllib.load(file)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise BadValue(f"{path} is not valid TOML ({error}); fix or remove it") from error
    return _flatten(tree)


def get(key: str, path: Path | None = None) -> str | None:
    """One setting's value, or None when it is not set."""
    check_key(key)
    return load(path).get(key)


def set_value(key: str, value: str, path: Path | None = None) -> str:
    """Store one setting, validated; returns the value as stored."""
    value = clean_value(key, value)
    path = path or home.config_path()
    settings = load(path)
    settings[key] = value
    _save(settings, path)
    return value


def unset(key: str, path: Path | None = None) -> bool:
    """Remove one setting; True when it was set."""
    check_key(key)
    path = path or home.config_path()
    settings = load(path)
    if settings.pop(key, None) is None:
        return False
    _save(settings, path)
    return True


def check_key(key: str) -> None:
    """Refuse a key meishi does not know, listing the ones it does."""
    if key not in SETTINGS:
        raise BadValue(f"unknown setting '{key}'; known settings: {', '.join(SETTINGS)}")


def clean_value(key: str, value: str) -> str:
    """Validate a value for its key and turn a typed '\\n' into a line break."""
    from meishi import mail

    check_key(key)
    if key in HEADER_BOUND:
        mail.check_header_value(value, key, "setting")
    if key == "me.email":
        return mail.check_email(value)
    return value.replace("\\n", "\n").strip()


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    """Turn nested TOML tables into dotted keys."""
    flat: dict[str, str] = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = str(value)
    return flat


def _save(settings: dict[str, str], path: Path) -> None:
    """Write the settings as TOML tables, owner-only, replacing the file whole."""
    import tomli_w

    tree: dict[str, dict[str, str]] = {}
    for key, value in sorted(settings.items()):
        table, _, name = key.partition(".")
        tree.setdefault(table, {})[name] = value
    home.private_dir(path.parent)
    partial = path.with_suffix(".toml.partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        tomli_w.dump(tree, file)
    partial.replace(path)
