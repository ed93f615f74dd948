"""Errors a user can meet: each carries a one-line message that says what to do."""


class KomoError(Exception):
    """A failure the CLI reports as one line with a non-zero exit code."""

    exit_code = 2


class LockHeld(KomoError):
    exit_code = 75  # EX_TEMPFAIL: cron may simply try again later


class SourceUnreachable(KomoError):
    exit_code = 3
