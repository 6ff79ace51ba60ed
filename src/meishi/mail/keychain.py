"""Passwords live in the OS keyring and nowhere else: not in files, the database or logs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from meishi.errors import BadValue, KeyringUnavailable, MeishiError, MissingSetting
from meishi.location import login_of

SERVICE = "meishi"
# The keyring library's own convention: a priority of 1 or more is "recommended"; below
# it are the file-based keyrings of keyrings.alt (plaintext or weakly protected), the
# fail keyring (nothing stored) and the null keyring (nothing kept).
RECOMMENDED_PRIORITY = 1
INSTALL_KEYRING = (
    "install and unlock a real keyring: on Linux the Secret Service (GNOME Keyring, KWallet "
    "or KeePassXC); macOS and Windows have one built in"
)


PASSWORDS = ("smtp", "imap", "database")  # the logins meishi keeps a password for


@dataclass(frozen=True)
class Login:
    """A login whose password the keyring keeps: its kind (smtp), user and host."""

    kind: str
    user: str
    host: str


def account(kind: str, user: str, host: str) -> str:
    """The keyring entry name for one login, e.g. smtp:me@example.com@smtp.example.com."""
    return f"{kind}:{user}@{host}"


def login_for(
    kind: str, settings: Mapping[str, str], keyring_named: str | None, database_url: str | None
) -> Login:
    """The login a password is to be kept for, checked before the password is asked for:
    a kind meishi knows, its host and user set (the database's: in its URL), and a keyring
    that can keep it."""
    if kind not in PASSWORDS:
        raise BadValue(
            f"unknown password '{kind}'; meishi keeps a password for: {', '.join(PASSWORDS)}"
        )
    if kind == "database":
        return _database_login(database_url, keyring_named)
    host, user = settings.get(f"{kind}.host"), settings.get(f"{kind}.user")
    if not host or not user:
        raise MissingSetting(
            f"set {kind}.host and {kind}.user first: meishi config set {kind}.user NAME"
        )
    _usable_backend(keyring_named)
    return Login(kind, user, host)


def _database_login(url: str | None, keyring_named: str | None) -> Login:
    """The login of the database URL set (MEISHI_DATABASE_URL or database.url)."""
    if url is None:
        raise MissingSetting(
            "set database.url first: meishi config set database.url postgresql://USER@host/db"
        )
    user, host = login_of(url)
    _usable_backend(keyring_named)
    return Login("database", user, host)


def database_password(url: str, keyring_named: str | None) -> str | None:
    """The keyring's password for a database URL's login, or None (libpq's .pgpass then)."""
    try:
        user, host = login_of(url)
        return load_password(account("database", user, host), keyring_named)
    except MeishiError:  # no user named, or no usable keyring: libpq's own ways remain
        return None


def keep_password(login: Login, password: str, keyring_named: str | None) -> str:
    """Keep the login's password (refused when empty); the name of the keyring keeping it."""
    if not password:
        raise BadValue("the password is empty; nothing was stored")
    return store_password(account(login.kind, login.user, login.host), password, keyring_named)


def store_password(entry: str, password: str, keyring_named: str | None) -> str:
    """Keep a password in the keyring; the name of the keyring that keeps it."""
    keyring = _usable_backend(keyring_named)
    try:
        keyring.set_password(SERVICE, entry, password)
    except Exception as error:  # backends raise their own types
        raise KeyringUnavailable(
            f"the keyring ({_name(keyring)}) refused the password: {type(error).__name__}"
        ) from None
    return _name(keyring)


def load_password(entry: str, keyring_named: str | None) -> str | None:
    """A password from the keyring, or None when none is stored."""
    keyring = _usable_backend(keyring_named)
    try:
        return cast("str | None", keyring.get_password(SERVICE, entry))
    except Exception as error:  # a locked keyring, a dead D-Bus session...
        raise KeyringUnavailable(f"cannot read the keyring: {type(error).__name__}") from None


def _usable_backend(keyring_named: str | None) -> Any:
    """The keyring to use: the active one, or the first recommended one it chains; a
    keyring that keeps passwords in a plain file, or not at all, is refused. The keyring
    the environment names (PYTHON_KEYRING_BACKEND) is told in the refusal."""
    import keyring

    try:
        active = keyring.get_keyring()
    except Exception as error:  # the keyring chosen in its configuration cannot work here
        chosen = keyring_named or "the one in keyringrc.cfg"
        raise KeyringUnavailable(
            f"the keyring chosen ({chosen}) cannot work here ({type(error).__name__}: "
            f"{error}); {INSTALL_KEYRING}"
        ) from None
    # The chainer writes to the first keyring of its chain that takes the password and
    # reads from any: use the best one alone, never a file-based one behind it.
    candidates = getattr(active, "backends", None) or [active]
    for backend in candidates:
        if _recommended(backend):
            return backend
    raise KeyringUnavailable(
        f"the keyring '{_name(active)}' ({type(active).__module__}) would keep the password "
        f"in a plain file or not at all; {INSTALL_KEYRING}"
    )


def _recommended(backend: Any) -> bool:
    """True for a keyring the keyring library recommends (it keeps passwords encrypted)."""
    try:
        return float(backend.priority) >= RECOMMENDED_PRIORITY
    except Exception:  # a backend's priority raises when it cannot work here
        return False


def _name(backend: Any) -> str:
    """A keyring's name for people."""
    return str(getattr(backend, "name", type(backend).__name__))
