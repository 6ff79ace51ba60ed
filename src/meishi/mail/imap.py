"""Reading the mailbox over IMAP: connecting securely, logging in, finding the Sent and
Drafts folders, and fetching message headers by UID; a body only for the mail that may be
an organizer's follow-up (fetch_bodies)."""

from __future__ import annotations

import datetime as dt
import re
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.errors import BadValue, MailboxUnavailable, MissingSetting
from meishi.mail.smtp import is_loopback

if TYPE_CHECKING:
    from typing import TypeAlias

    from imapclient import IMAPClient

    # A logged-in connection, as modules outside mail/ name it: they never name the library.
    Mailbox: TypeAlias = IMAPClient

DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
# Where mail clients keep sent mail and drafts when the server flags no SPECIAL-USE folder.
COMMON_NAMES = {
    "sent": (
        "Sent",
        "Sent Items",
        "Sent Messages",
        "送信済みアイテム",
        "送信済みメール",
        "[Gmail]/Sent Mail",
        "[Gmail]/送信済みメール",
        "INBOX.Sent",
    ),
    "drafts": ("Drafts", "下書き", "[Gmail]/Drafts", "[Gmail]/下書き", "INBOX.Drafts"),
}
SPECIAL_USE = {"sent": b"\\Sent", "drafts": b"\\Drafts"}
# Only these headers are fetched for every message; fetch_bodies reads the few others.
HEADERS = (
    "From",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "List-Id",
    "List-Unsubscribe",
    "Precedence",
    "Auto-Submitted",
)
FETCH_HEADERS = f"BODY.PEEK[HEADER.FIELDS ({' '.join(h.upper() for h in HEADERS)})]"


@dataclass(frozen=True)
class ImapSettings:
    """Where the mailbox is and how to log in."""

    host: str
    port: int
    security: str = "ssl"
    user: str = ""
    password: str = field(default="", repr=False)  # never shown
    cafile: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Folder:
    """A folder sync reads: its role (inbox, sent, drafts), its name and how it was found."""

    role: str
    name: str | None
    how: str


@dataclass(frozen=True)
class Fetched:
    """One message's headers, as the server stored them, and when it arrived."""

    uid: int
    headers: bytes
    arrived: dt.datetime | None
    gmail_thread: str | None = None  # X-GM-THRID, from a server offering X-GM-EXT-1


def imap_settings(settings: Mapping[str, str], keyring_named: str | None) -> ImapSettings:
    """The mailbox settings, checked, with the password from the keyring."""
    from meishi.config import checked
    from meishi.mail import keychain

    host, user = settings.get("imap.host"), settings.get("imap.user")
    if not host or not user:
        raise MissingSetting(
            "imap.host and imap.user are not set: meishi config set imap.host imap.example.com"
        )
    password = keychain.load_password(keychain.account("imap", user, host), keyring_named)
    if password is None:
        raise MissingSetting(
            f"no password for {user} at {host} in the keyring: meishi config set-password imap"
        )
    security = checked(settings, "imap.security", "ssl")
    port = int(checked(settings, "imap.port", str(DEFAULT_PORTS[security])))
    return ImapSettings(host, port, security, user, password, _cafile(settings))


def _cafile(settings: Mapping[str, str]) -> str | None:
    """The CA certificate file to trust, checked to be a file."""
    cafile = settings.get("imap.cafile") or None
    if cafile and not Path(cafile).expanduser().is_file():
        raise BadValue(f"imap.cafile {cafile} is not a file; give the CA certificate's path")
    return cafile


@contextmanager
def lost_connection(
    settings: ImapSettings, kept: str = "what was read so far is kept: run meishi sync again"
) -> Iterator[None]:
    """Turn a failure of the server or the network into one line (the password never in it),
    saying what was `kept`."""
    from imapclient.exceptions import IMAPClientError

    try:
        yield
    except (IMAPClientError, OSError) as error:
        said = " ".join(str(error).split()) or type(error).__name__
        raise MailboxUnavailable(
            f"lost the connection to {settings.host}:{settings.port} ({said}); {kept}"
        ) from None


@contextmanager
def imap_session(settings: ImapSettings) -> Iterator[IMAPClient]:
    """A connected, secured and logged-in IMAP session, logged out afterwards."""
    client = _connect(settings)
    try:
        yield client
    finally:
        _close(client)


def _connect(settings: ImapSettings) -> IMAPClient:
    """Open the connection, secure it as configured, and log in."""
    from imapclient.exceptions import IMAPClientError, LoginError

    where = f"{settings.host}:{settings.port}"
    if settings.security == "none" and not is_loopback(settings.host):
        raise MailboxUnavailable(
            f"refusing to send your password unencrypted to {settings.host}; "
            "meishi config set imap.security ssl (or starttls)"
        )
    try:
        client = _open(settings)
    except ssl.SSLCertVerificationError as error:  # before OSError, which it is
        raise MailboxUnavailable(
            f"the certificate of {where} is not trusted ({error.verify_message}); if your "
            "mailbox uses a certificate of its own: meishi config set imap.cafile CA_FILE"
        ) from None
    except (IMAPClientError, OSError) as error:
        raise MailboxUnavailable(f"cannot reach your mailbox at {where}: {error}") from None
    try:
        _login(client, settings.user, settings.password)
    except LoginError:
        client.shutdown()
        raise MailboxUnavailable(
            f"{where} refused the login for {settings.user}; check imap.user and set the "
            "password again (an app password for Gmail or Outlook): meishi config set-password imap"
        ) from None
    except (IMAPClientError, OSError) as error:
        client.shutdown()
        raise MailboxUnavailable(f"cannot log in at {where}: {error}") from None
    return client


def _login(client: IMAPClient, user: str, password: str) -> None:
    """Log in; LOGIN takes ASCII only, so others go as UTF-8 AUTHENTICATE PLAIN (RFC 4616)."""
    if user.isascii() and password.isascii():
        client.login(user, password)
    else:
        client.plain_login(user, password)


def _open(settings: ImapSettings) -> IMAPClient:
    """The connection, with TLS from the start (ssl) or after STARTTLS."""
    from imapclient import IMAPClient

    context = ssl.create_default_context(cafile=settings.cafile)
    client = IMAPClient(
        settings.host,
        settings.port,
        ssl=settings.security == "ssl",
        ssl_context=context,
        timeout=settings.timeout,
    )
    if settings.security == "starttls":
        try:
            client.starttls(context)
        except BaseException:
            with suppress(OSError):  # a failed handshake may have closed the socket
                client.shutdown()
            raise
    return client


def _close(client: IMAPClient) -> None:
    """Log out if the server still listens."""
    from imapclient.exceptions import IMAPClientError

    try:
        client.logout()
    except (IMAPClientError, OSError):
        with suppress(OSError):  # the connection may be gone already
            client.shutdown()


def check_mailbox(settings: Mapping[str, str], keyring_named: str | None) -> list[Folder]:
    """Log in and find the folders sync reads (`meishi mail check`)."""
    server = imap_settings(settings, keyring_named)
    with lost_connection(server), imap_session(server) as client:
        return find_folders(client, chosen_folders(settings))


def chosen_folders(settings: Mapping[str, str]) -> dict[str, str | None]:
    """The Sent and Drafts folders named in the settings (None: find them)."""
    return {role: settings.get(f"imap.{role}_folder") or None for role in SPECIAL_USE}


def find_folders(client: IMAPClient, chosen: Mapping[str, str | None]) -> list[Folder]:
    """INBOX, Sent and Drafts: as set in `chosen`, else by SPECIAL-USE, else by common name."""
    listed = [(tuple(flags), name) for flags, _separator, name in client.list_folders()]
    names = {name for _flags, name in listed}
    found = [Folder("inbox", "INBOX", "the inbox")]
    for role, use in SPECIAL_USE.items():
        found.append(_find(role, use, listed, names, chosen.get(role)))
    return found


def _find(
    role: str,
    use: bytes,
    listed: list[tuple[tuple[Any, ...], str]],
    names: set[str],
    chosen: str | None,
) -> Folder:
    """One special folder: the setting wins, then the SPECIAL-USE flag, then a common name."""
    if chosen:
        how = (
            f"imap.{role}_folder" if chosen in names else f"imap.{role}_folder (not on the server)"
        )
        return Folder(role, chosen if chosen in names else None, how)
    for flags, name in listed:
        if use in flags:
            return Folder(role, name, f"SPECIAL-USE {use.decode()}")
    for name in COMMON_NAMES[role]:
        if name in names:
            return Folder(role, name, "its common name")
    return Folder(role, None, f"not found; set imap.{role}_folder")


def open_folder(client: IMAPClient, name: str) -> int:
    """Select a folder read-only; its UIDVALIDITY."""
    selected = client.select_folder(name, readonly=True)
    return int(selected[b"UIDVALIDITY"])


def uids_after(client: IMAPClient, highest: int) -> list[int]:
    """The UIDs above `highest` in the selected folder, in order."""
    # UID n:* always matches the last message, even below n: filter it out.
    return sorted(uid for uid in client.search(["UID", f"{highest + 1}:*"]) if uid > highest)


def uids_since(client: IMAPClient, since: dt.date) -> list[int]:
    """The UIDs of the messages that arrived on or after `since`, in order."""
    return sorted(client.search(["SINCE", since]))


def fetch_headers(client: IMAPClient, uids: list[int]) -> list[Fetched]:
    """The headers sync reads (no body) of the messages with these UIDs, by UID; and from
    Gmail (X-GM-EXT-1), each message's thread id."""
    gmail = client.has_capability("X-GM-EXT-1")
    fetched = client.fetch(
        uids, [FETCH_HEADERS, "INTERNALDATE", *(["X-GM-THRID"] if gmail else [])]
    )
    found = []
    for uid in sorted(fetched):
        data = fetched[uid]
        headers = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
        thread = data.get(b"X-GM-THRID")
        found.append(
            Fetched(
                uid,
                bytes(headers or b""),
                data.get(b"INTERNALDATE"),
                str(thread) if thread is not None else None,
            )
        )
    return found


# The most of a message read: enough for any organizer's text and its attachments' names;
# a large attachment is cut off, not read whole into memory.
FETCH_BODY = f"BODY.PEEK[]<0.{limits.ORGANIZER_MAIL_BYTES}>"


def fetch_bodies(client: IMAPClient, uids: list[int]) -> dict[int, bytes]:
    """The whole messages (up to ORGANIZER_MAIL_BYTES each, not marked read) with these UIDs:
    only the mail that may be an organizer's follow-up is ever read this way."""
    if not uids:
        return {}
    fetched = client.fetch(uids, [FETCH_BODY])
    found = {}
    for uid, data in fetched.items():
        body = next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"")
        found[int(uid)] = bytes(body or b"")
    return found


# Where the mail client finds a draft: flagged as one, and already read.
DRAFT_FLAGS = (b"\\Draft", b"\\Seen")
NEW_DRAFTS_FOLDER = "Drafts"  # created when the server has no Drafts folder at all


@dataclass(frozen=True)
class Placed:
    """Where a message sits in the mailbox: its folder, UIDVALIDITY and UID."""

    folder: str
    uidvalidity: int | None
    uid: int | None


def drafts_folder(client: IMAPClient, chosen: Mapping[str, str | None]) -> str:
    """The Drafts folder's name: as set, else found; one that is missing is created."""
    found = next(f for f in find_folders(client, chosen) if f.role == "drafts")
    if found.name:
        return found.name
    name = chosen.get("drafts") or NEW_DRAFTS_FOLDER
    client.create_folder(name)
    return name


def put_draft(
    client: IMAPClient, folder: str, raw: bytes, old: Placed | None, message_id: str
) -> Placed:
    """APPEND a draft to the folder, then delete the copy put there before (by UID), and any
    other copy with its Message-ID: one APPENDed by a run whose connection was lost before
    the server's answer came, so that its place was never kept."""
    placed = _append_draft(client, folder, raw)
    if old is not None and old.uid is not None:
        take_back(client, old, None)  # not by Message-ID: the new copy has the same one
    if placed.uid is not None:  # without UIDPLUS the new copy cannot be told from the others
        client.select_folder(folder)
        doubles = [
            u for u in client.search(["HEADER", "Message-ID", message_id]) if u != placed.uid
        ]
        _expunge(client, doubles)
    return placed


def _expunge(client: IMAPClient, uids: list[int]) -> None:
    """Delete these messages of the selected folder (STORE \\Deleted, UID EXPUNGE)."""
    if uids:
        client.delete_messages(uids)
        client.uid_expunge(uids)


def _append_draft(client: IMAPClient, folder: str, raw: bytes) -> Placed:
    """APPEND with the draft flags; a folder the server says to create (TRYCREATE) is."""
    from imapclient.exceptions import IMAPClientError

    try:
        response = client.append(folder, raw, flags=DRAFT_FLAGS)
    except IMAPClientError as error:
        if "TRYCREATE" not in str(error):
            raise
        client.create_folder(folder)
        response = client.append(folder, raw, flags=DRAFT_FLAGS)
    return _placed(folder, response)


def _placed(folder: str, response: bytes) -> Placed:
    """Where the APPENDUID code (UIDPLUS) says the message went; unknown without one."""
    found = re.search(rb"\[APPENDUID (\d+) (\d+)\]", response or b"")
    if found is None:
        return Placed(folder, None, None)
    return Placed(folder, int(found.group(1)), int(found.group(2)))


def take_back(client: IMAPClient, old: Placed, message_id: str | None) -> bool:
    """Delete a draft's copy from its folder (STORE \\Deleted, UID EXPUNGE): the message at
    its UID while the folder keeps its UIDVALIDITY (recreated, that UID may be another
    message), else, given one, the message with its Message-ID; False when none is there."""
    if old.folder not in {name for *_rest, name in client.list_folders()}:
        return False
    selected = client.select_folder(old.folder)
    uids: list[int] = []
    if old.uid is not None and int(selected[b"UIDVALIDITY"]) == old.uidvalidity:
        uids = list(client.search(["UID", str(old.uid)]))
    if not uids and message_id:  # the folder was recreated, or the copy moved within it
        uids = list(client.search(["HEADER", "Message-ID", message_id]))
    _expunge(client, uids)
    return bool(uids)


def holds_message(client: IMAPClient, folder: str | None, message_id: str) -> bool:
    """True when the folder holds a message with this Message-ID."""
    if folder is None:
        return False
    client.select_folder(folder, readonly=True)
    return bool(client.search(["HEADER", "Message-ID", message_id]))
