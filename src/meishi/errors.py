"""Named errors: what went wrong, in the user's words.

Every error a user can cause derives from MeishiError and carries the exit
code the CLI returns: 2 for bad usage or input, 1 for other failures.
"""


class MeishiError(Exception):
    """Something the user can fix; the message says what and how."""

    exit_code = 2


class NotFound(MeishiError):
    """No event, contact, template or draft matches what was asked for."""


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


class OutputNotWritable(MeishiError):
    """A folder or file meishi was asked to write cannot be written."""


class DatabaseTooNew(MeishiError):
    """The database was written by a newer meishi than this one."""

    exit_code = 1


class SendingBusy(MeishiError):
    """Another meishi process is sending mail right now."""

    exit_code = 1


class KeyringUnavailable(MeishiError):
    """No usable OS keyring to keep a password in."""

    exit_code = 1


class ScanUnavailable(MeishiError):
    """Scanning cards needs the optional `scan` extra, which is not installed."""

    exit_code = 1


class ImportRefused(MeishiError):
    """A file held a bad record, so nothing of it was imported."""


class BackupFailed(MeishiError):
    """The backup copy could not be written or did not pass SQLite's integrity check."""

    exit_code = 1


class WriteFailed(MeishiError):
    """The system would not let a file be written: no space, no permission, a read error."""

    exit_code = 1
