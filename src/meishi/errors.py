"""Named errors: what went wrong, in the user's words.

Every error a user can cause derives from MeishiError and carries the exit
code the CLI returns: 2 for bad usage or input, 1 for other failures.
"""

import errno


class MeishiError(Exception):
    """Something the user can fix; the message says what and how."""

    exit_code = 2


class Failure(MeishiError):
    """Not the user's input: the machine, or another meishi, is in the way (exit code 1)."""

    exit_code = 1


class NotFound(MeishiError):
    """No event, contact, template or draft matches what was asked for."""


class UnknownCommand(MeishiError):
    """A command name meishi does not have; the message names the closest ones."""


class Ambiguous(MeishiError):
    """A name matches more than one thing; the message lists the candidates."""


class BadDate(MeishiError):
    """A date phrase meishi does not understand."""


class BadValue(MeishiError):
    """A field value that is malformed: an email, a time, a fee, a config key."""


class HeaderInjection(MeishiError):
    """A field bound for a mail header holds a CR, LF or other control character."""


class TemplateProblem(MeishiError):
    """A template is missing, broken, or uses a variable it was not given."""


class MissingSetting(MeishiError):
    """A configuration value a command needs has not been set."""


class NothingToDo(MeishiError):
    """The request names something that is already in the state asked for."""


class EditorFailed(MeishiError):
    """The editor a draft was opened in failed, or its file could not be read back."""


class NotOnTerminal(MeishiError):
    """A command that asks before it acts was run off a terminal without --yes."""


class OutputNotWritable(MeishiError):
    """A folder or file meishi was asked to write cannot be written."""


class DatabaseTooNew(Failure):
    """The database was written by a newer meishi than this one."""


class SendingBusy(Failure):
    """Another meishi process is sending mail right now."""


class KeyringUnavailable(Failure):
    """No usable OS keyring to keep a password in."""


class MailboxUnavailable(Failure):
    """The mailbox server could not be reached, secured or logged in to, or the connection
    was lost."""


class ScanUnavailable(Failure):
    """Scanning cards needs the optional `scan` extra, which is not installed."""


class ImportRefused(MeishiError):
    """A file held a bad record, so nothing of it was imported."""


class DatabaseDamaged(MeishiError):
    """The database file is damaged, cut short, or not a meishi database at all."""


class DatabaseBusy(Failure):
    """Another meishi kept the database's write lock for longer than meishi waits."""


class Unavailable(Failure):
    """A file or folder meishi needs cannot be used: permissions, a full disk, a missing folder."""


# What to do about the failures a user's machine can cause, by errno.
_OS_ADVICE = {
    errno.EACCES: "permission denied; check who owns it and its permissions",
    errno.EPERM: "permission denied; check who owns it and its permissions",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full; free some space and try again",
    errno.EDQUOT: "your disk quota is used up; free some space and try again",
    errno.ENOTDIR: "part of the path is a file, not a folder; check MEISHI_HOME",
    errno.EEXIST: "it is a file where a folder is needed; check MEISHI_HOME",
    errno.EISDIR: "it is a folder, not a file",
}


def os_failure(error: OSError, what: str | None = None) -> Unavailable:
    """An operating-system failure on a file (or on `what`), in the user's words."""
    advice = _OS_ADVICE.get(error.errno or 0, (error.strerror or str(error)).lower())
    return Unavailable(f"cannot use {what or error.filename or 'a file'}: {advice}")


class NotEmpty(MeishiError):
    """Where meishi was asked to copy the store already holds data."""


class CopyMismatch(Failure):
    """A copy of the store did not hold what the store holds: nothing was kept."""
