"""Settings in config.toml: who you are, as drafts sign and send it."""

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path

from meishi import limits
from meishi.errors import BadValue, MissingSetting
from meishi.location import refuse_password
from meishi.validation import check_text

# Every setting meishi reads, with what it is for; nothing else may be set.
SETTINGS: dict[str, str] = {
    "me.name": "your name: signs drafts and is the From name",
    "me.email": "your email address: the From of drafts",
    "me.company": "your company, for signatures",
    "me.title": "your department and title, for signatures",
    "me.signature": "a signature block replacing name/company/title (\\n for new lines)",
    "me.name_en": "your name in English drafts (e.g. Hanako Yamada)",
    "me.company_en": "your company in English drafts",
    "me.title_en": "your department and title in English drafts",
    "me.signature_en": "the signature block of English drafts (\\n for new lines)",
    "smtp.host": "your mail server, e.g. smtp.gmail.com",
    "smtp.port": "its port: 587 for starttls, 465 for ssl",
    "smtp.user": "the login name on the mail server (the password goes in the keyring)",
    "smtp.security": "starttls, ssl or none (none only for a server on this machine)",
    "smtp.cafile": "a CA certificate file to trust, for a server with a private certificate",
    "imap.host": "your mailbox server, e.g. imap.gmail.com (for meishi sync)",
    "imap.port": "its port: 993 for ssl, 143 for starttls",
    "imap.user": "the login name on the mailbox server (the password goes in the keyring)",
    "imap.security": "ssl, starttls or none (none only for a server on this machine)",
    "imap.cafile": "a CA certificate file to trust, for a mailbox with a private certificate",
    "imap.sent_folder": "your Sent folder, when meishi does not find it by itself",
    "imap.drafts_folder": "your Drafts folder, when meishi does not find it by itself",
    "mail.ignore": "addresses or @domains sync never records, comma-separated (e.g. @mycompany.jp)",
    "database.url": "a PostgreSQL database instead of the local file: postgresql://user@host/db",
    "send.pause": "seconds to wait between two messages (default 1)",
    "cancel.window_hours": "a cancellation this close to the start is last-minute (default 24)",
}
HEADER_BOUND = {
    "me.name",
    "me.email",
    "me.company",
    "me.name_en",
    "me.company_en",
}  # they reach From and Subject


class Settings(dict[str, str]):
    """Settings as flat dotted keys, knowing the file they were read from (for messages)."""

    def __init__(self, values: Mapping[str, str], source: Path | None = None) -> None:
        super().__init__(values)
        self.source = source


def load(path: Path) -> Settings:
    """All settings in the file at `path` as flat dotted keys; an absent file sets none."""
    try:
        with path.open("rb") as file:
            tree = tomllib.load(file)
    except FileNotFoundError:
        return Settings({}, path)
    except tomllib.TOMLDecodeError as error:
        raise BadValue(f"{path} is not valid TOML ({error}); fix or remove it") from error
    return Settings(_flatten(tree), path)


def get(key: str, settings: Mapping[str, str]) -> str | None:
    """One setting's value, or None when it is not set."""
    check_key(key)
    return settings.get(key)


def set_value(key: str, value: str, path: Path) -> str:
    """Store one setting in the file at `path`, validated; returns the value as stored."""
    value = clean_value(key, value)
    settings = load(path)
    settings[key] = value
    _save(settings, path)
    return value


def unset(key: str, path: Path) -> bool:
    """Remove one setting from the file at `path`; True when it was set."""
    check_key(key)
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
    """A value checked for its key; only the signature may span lines (typed as \\n)."""
    from meishi.mail import message as mail

    check_key(key)
    if key in ("me.signature", "me.signature_en"):
        signature = value.replace("\\n", "\n")
        return check_text(signature, f"setting {key}", limits.SETTING_CHARS, lines=True)
    if key in HEADER_BOUND and "\\n" in value:
        raise BadValue(f"{key} must be one line; remove the \\n")
    value = check_text(value, f"setting {key}", limits.SETTING_CHARS)
    checks = {
        "me.email": mail.check_email,
        "smtp.port": _port,
        "smtp.security": _security,
        "imap.port": _port,
        "imap.security": _security,
        "database.url": refuse_password,
        "send.pause": _pause,
        "cancel.window_hours": _hours,
    }
    return checks.get(key, str)(value)


def unencrypted_warning(settings: dict[str, str]) -> str | None:
    """A warning when mail would cross the network unencrypted (none is for loopback only)."""
    from meishi.mail.smtp import is_loopback

    for kind in ("smtp", "imap"):
        host = settings.get(f"{kind}.host")
        if settings.get(f"{kind}.security") == "none" and host and not is_loopback(host):
            return f"warning: {kind}.security is none: mail to {host} travels unencrypted"
    return None


def cancel_window(settings: dict[str, str]) -> dt.timedelta:
    """How close to the start a cancellation counts as last-minute."""
    return dt.timedelta(hours=float(checked(settings, "cancel.window_hours", "24")))


def checked(settings: Mapping[str, str], key: str, default: str) -> str:
    """A setting checked as `meishi config set` checks it: config.toml may be edited by hand."""
    try:
        return clean_value(key, settings.get(key) or default)
    except BadValue as error:
        source = getattr(settings, "source", None)
        raise BadValue(f"{source or 'config.toml'}: {key}: {error}") from None


def _port(value: str) -> str:
    """A TCP port number."""
    if not value.isdecimal() or not 0 < int(value) < 65536:
        raise BadValue(f"invalid port '{value}'; use a number such as 587 or 465")
    return str(int(value))


def _security(value: str) -> str:
    """One of the connection security modes."""
    from meishi.mail.smtp import SECURITY_MODES

    if value not in SECURITY_MODES:
        raise BadValue(f"unknown security '{value}'; use one of: {', '.join(SECURITY_MODES)}")
    return value


def _pause(value: str) -> str:
    """Seconds between two messages."""
    return _number(value, 0, 3600, "pause", "seconds, e.g. 1 or 0.5")


def _hours(value: str) -> str:
    """Hours before the start."""
    return _number(value, 0.1, 24 * 30, "window", "hours, e.g. 24 or 48")


def _number(value: str, low: float, high: float, what: str, example: str) -> str:
    """A number from low to high, or a refusal that says what to give."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan  # compares false with everything, so it is refused below
    if not low <= number <= high:
        raise BadValue(f"invalid {what} '{value}'; give {example}")
    return value


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
    from meishi.files import own_output, private_dir

    private_dir(path.parent)
    with own_output(path) as file:
        tomli_w.dump(tree, file)


def require_me(settings: Mapping[str, str]) -> dict[str, str]:
    """Your own details for signatures; me.name must be set."""
    if not settings.get("me.name"):
        raise MissingSetting(
            "me.name is not set; drafts are signed with it: meishi config set me.name 'Your Name'"
        )
    keys: tuple[str, ...] = ("name", "email", "company", "title", "signature")
    keys += tuple(f"{key}_en" for key in keys if key != "email")
    return {key: settings.get(f"me.{key}", "") for key in keys}
