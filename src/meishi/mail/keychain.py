"""Passwords live in the OS keyring and nowhere else: not in files, the database or logs."""

from __future__ import annotations

import os
from typing import Any, cast

from meishi.errors import KeyringUnavailable

SERVICE = "meishi"
# The keyring library's own convention: a priority of 1 or more is "recommended"; below
# it are the file-based keyrings of keyrings.alt (plaintext or weakly protected), the
# fail keyring (nothing stored) and the null keyring (nothing kept).
RECOMMENDED_PRIORITY = 1
INSTALL_KEYRING = (
    "install and unlock a real keyring: on Linux the Secret Service (GNOME Keyring, KWallet "
    "or KeePassXC); macOS and Windows have one built in"
)


def account(kind: str, user: str, host: str) -> str:
    """The keyring entry name for one login, e.g. smtp:me@example.com@smtp.example.com."""
    return f"{kind}:{user}@{host}"


def store_password(entry: str, password: str) -> str:
    """Keep a password in the keyring; the name of the keyring that keeps it."""
    keyring = _usable_backend()
    try:
        keyring.set_password(SERVICE, entry, password)
    except Exception as error:  # backends raise their own types
        raise KeyringUnavailable(
            f"the keyring ({_name(keyring)}) refused the password: {type(error).__name__}"
        ) from None
    return _name(keyring)


def load_password(entry: str) -> str | None:
    """A password from the keyring, or None when none is stored."""
    keyring = _usable_backend()
    try:
        return cast("str | None", keyring.get_password(SERVICE, entry))
    except Exception as error:  # a locked keyring, a dead D-Bus session...
        raise KeyringUnavailable(f"cannot read the keyring: {type(error).__name__}") from None


def check_available() -> None:
    """Refuse early, before asking for a password, when no keyring can keep it."""
    _usable_backend()


def _usable_backend() -> Any:
    """The keyring to use: the active one, or the first recommended one it chains; a
    keyring that keeps passwords in a plain file, or not at all, is refused."""
    import keyring

    try:
        active = keyring.get_keyring()
    except Exception as error:  # the keyring chosen in its configuration cannot work here
        chosen = os.environ.get("PYTHON_KEYRING_BACKEND") or "the one in keyringrc.cfg"
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
