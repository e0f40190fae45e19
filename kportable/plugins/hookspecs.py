"""Hook specifications: the public plugin API of kportable.

A plugin is a module registered in the ``kportable`` entry-point group of its distribution::

    [project.entry-points.kportable]
    acme = "kportable_acme.plugin"

The module implements any of the hooks below with ``@kportable.hookimpl``. kportable's own
rules, cloud profiles and output formats are registered exactly this way (entry point
``core = "kportable_rules.plugin"``), so a rule pack can do everything the built-ins do.

Every hook collects: kportable calls all implementations and concatenates what they return
(none is ``firstresult``). Hook arguments are never passed: plugins only return values, so
no plugin can mutate another's data. Import heavy modules inside the hook, not at module
import time, so ``kportable --version`` and pre-commit runs stay fast.

The API is versioned by ``kportable.PLUGIN_API_VERSION``. A plugin may declare the version it
was written for as a module attribute ``KPORTABLE_PLUGIN_API = 1``; a plugin declaring a
newer major version than the host is rejected with a clear message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ..clouds import CloudProfile
    from ..report.base import OutputFormat
    from ..rule import RuleSpec
    from ..schema_source import SchemaSource

PROJECT = "kportable"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class KportableSpec(ABC):
    """The hooks a kportable plugin can implement (all optional)."""

    @hookspec
    @abstractmethod
    def kportable_rules(self) -> Sequence[RuleSpec]:
        """Return the rules this plugin contributes.

        :returns: ``RuleSpec`` values, usually made with the ``@kportable.rule(...)`` decorator.

        Results of all plugins are concatenated. A rule id or slug that another plugin already
        registered is an error naming both plugins: the later one's rules are not loaded, the run
        goes on and exits 3. Third-party rule ids must not use the ``KP`` prefix, which is reserved
        for kportable itself; use your own (``ACME101``).

        Added in API version 1.
        """

    @hookspec
    @abstractmethod
    def kportable_cloud_profiles(self) -> Sequence[CloudProfile]:
        """Return cloud profiles: the data that ties manifests to a target platform.

        :returns: ``CloudProfile`` values (see ``kportable.clouds``), typically loaded from a YAML
            file shipped in the plugin with ``kportable.clouds.load_profile(...)``, which validates it
            against ``cloud-profile.schema.json``.

        Profiles with a new ``id`` add a target (OpenShift, an on-prem distribution): every
        generic cloud rule reads it with no change to the rule. A profile whose ``extends`` names
        an existing id adds entries to that profile instead. Two profiles with the same ``id`` and
        no ``extends`` are an error.

        Added in API version 1.
        """

    @hookspec
    @abstractmethod
    def kportable_output_formats(self) -> Sequence[OutputFormat]:
        """Return output formats for ``kportable lint --format NAME``.

        :returns: ``OutputFormat`` values (name, one-line help, and a ``render(result, options)``
            function returning the report as ``str``).

        Names must be unique across plugins; a clash is an error naming both plugins.

        Added in API version 1.
        """

    @hookspec
    @abstractmethod
    def kportable_schemas(self) -> Sequence[SchemaSource]:
        """Return extra JSON Schemas, e.g. for a company's CRDs, so their objects are validated.

        :returns: ``SchemaSource`` values: (api group, version, kind) and the JSON Schema of the
            object.

        A schema for a (group, version, kind) that kportable already knows replaces the built-in
        one only if the plugin sets ``override=True``; otherwise the clash is an error.

        Added in API version 1.
        """
