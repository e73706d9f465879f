"""The one exception type that the CLI turns into a clean, one-line error."""

from __future__ import annotations

__all__ = ["SeisfillError"]


class SeisfillError(Exception):
    """A problem with the user's input or options.

    The message is complete on its own (it names the file, the gather and what
    to do); the command-line interface prints it as one line and exits with a
    non-zero code, without a traceback.
    """
