"""Errors a user can meet: each carries a one-line message that says what to do, and its own exit
code, so a script (or cron) can tell them apart. 1 is left for partial runs and bugs."""


class KomoError(Exception):
    """A failure the CLI reports as one line with a non-zero exit code: bad input or usage."""

    exit_code = 2


class SourceUnreachable(KomoError):
    exit_code = 3


class QueryRefused(KomoError):
    """A read-only query tried to write, attach, copy, read files or change settings."""

    exit_code = 4


class QueryTimeout(KomoError):
    exit_code = 5


class StoreDamaged(KomoError):
    """A store file that cannot be read, or holds what komo never writes (a path outside raw/)."""

    exit_code = 6


class LockHeld(KomoError):
    exit_code = 75  # EX_TEMPFAIL: cron may simply try again later


class LayoutAlarm(KomoError):
    """A source's own layout rules stopped matching (`komo update`, `komo reparse`): its new parses are
    held out of the snapshot until the layout file is fixed and `komo reparse --source N` has run."""

    exit_code = 7
