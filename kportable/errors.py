"""Error types: the boundary between a user's mistake and a bug.

Manifest problems are never exceptions: they are findings (``KP001`` and friends).
Exceptions are for the invocation (``UserError``: bad option, bad config, unknown rule)
and for plugins (``PluginError``). Anything else that escapes is a bug and exits 3.
"""

from __future__ import annotations


class KportableError(Exception):
    """Base class of every error kportable raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserError(KportableError):
    """The invocation is wrong: a bad option, config file, rule id or path. Exit code 2."""


class ConfigError(UserError):
    """A configuration file is invalid; the message names the file and line."""


class PluginError(KportableError):
    """A plugin failed to load, registered a duplicate id, or is incompatible.

    The run goes on with the other plugins and exits 3, so a broken rule pack never hides
    the built-in findings and never passes silently.
    """

    def __init__(self, message: str, *, plugin: str = "") -> None:
        super().__init__(message)
        self.plugin = plugin
