"""Typed exceptions: raised by the library, turned into one clear line at the CLI/API edge."""

from __future__ import annotations


class StorylineError(Exception):
    """Base class for errors a user can cause and fix."""


class InputError(StorylineError):
    """An input file or record could not be read as an article."""


class StoreError(StorylineError):
    """The database is missing, unreadable or from an incompatible version."""


class NotFoundError(StorylineError):
    """A story or article id that does not exist in the store."""


class ConfigError(StorylineError):
    """A bad option value or an unknown backend name."""
