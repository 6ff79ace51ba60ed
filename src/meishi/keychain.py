"""Passwords live in the OS keyring and nowhere else: not in files, the database or logs."""

from __future__ import annotations

from typing import Any

from meishi.errors import KeyringUnavailable

SERVICE = "meishi"
NO_BACKEND = (
    "no usable keyring to keep the password in ({backend}). On Linux, install and unlock the "
    "Secret Service (GNOME Keyring or KeePassXC), or, knowingly accepting a file-based "
    "store, pip install keyrings.alt; macOS and Windows have a keyring built in"
)


def account(kind: str, user: str, host: str) -> str:
    """The keyring entry name for one login, e.g. smtp:me@example.com@smtp.example.com."""
    return f"{kind}:{user}@{host}"


def store_password(entry: str, password: str) -> None:
    """Keep a password in the keyring."""
    keyring = _usable_backend()
    try:
        keyring.set_password(SERVICE, entry, password)
    except Exception as error:  # backends raise their own types
        raise KeyringUnavailable(
            f"the keyring refused the password: {type(error).__name__}"
        ) from None


def load_password(entry: str) -> str | None:
    """A password from the keyring, or None when none is stored."""
    keyring = _usable_backend()
    try:
        return keyring.get_password(SERVICE, entry)
    except Exception as error:  # a locked keyring, a dead D-Bus session...
        raise KeyringUnavailable(f"cannot read the keyring: {type(error).__name__}") from None


def check_available() -> None:
    """Refuse early, before asking for a password, when no keyring can keep it."""
    _usable_backend()


def _usable_backend() -> Any:
    """The active keyring backend, refusing the ones that cannot keep a secret."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        raise KeyringUnavailable(NO_BACKEND.format(backend=type(backend).__module__))
    return backend
