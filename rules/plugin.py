"""The ``core`` plugin: kportable's built-in rules, cloud profiles and output formats.

Registered through the public ``kportable`` entry-point group, like any third-party plugin.
Heavy imports happen inside the hooks, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kportable.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from kportable.clouds import CloudProfile
    from kportable.report.base import OutputFormat
    from kportable.rule import RuleSpec

KPORTABLE_PLUGIN_API = 1


@hookimpl
def kportable_rules() -> Sequence[RuleSpec]:
    from .catalog import all_rules

    return all_rules()


@hookimpl
def kportable_cloud_profiles() -> Sequence[CloudProfile]:
    from .profiles import builtin_profiles

    return builtin_profiles()


@hookimpl
def kportable_output_formats() -> Sequence[OutputFormat]:
    from kportable.report.builtin import builtin_formats

    return builtin_formats()
