"""Hook specifications: the public plugin API of kportable.

A plugin is a module named in the ``kportable`` entry-point group of its distribution::

    [project.entry-points.kportable]
    acme = "kportable_acme"

The module declares the plugin API it was written for and implements any of the hooks below,
each marked with ``@kportable.hookimpl``::

    KPORTABLE_PLUGIN_API = 1

    @hookimpl
    def kportable_rules() -> list[RuleSpec]: ...

kportable's own rules, cloud profiles and output formats are registered exactly this way (entry
point ``core = "kportable_rules.plugin"``), so a rule pack can do everything the built-ins do.

The docstrings below are the reference; ``docs/plugins.md`` renders them (regenerate it with
``python -m kportable.plugins.reference docs/plugins.md``; a test fails when it is stale).
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
    """The hooks a kportable plugin can implement. All are optional; none takes arguments.

    Every hook *collects*: kportable calls each plugin's implementation on its own (so one
    plugin's failure never hides another's results) and merges what they return; no hook is
    ``firstresult``. Hooks receive no arguments, so no plugin can see or mutate another's data.
    They run once per process, when the plugin registry is first built, before any manifest is
    read. Import heavy modules inside the hook, not at module import time, so that
    ``kportable --version`` and pre-commit runs stay fast.

    A hook that raises, returns something other than a list or tuple, or returns items of the
    wrong type is reported as a load error of that plugin (``kportable plugins`` lists it, a lint
    run prints it and exits 3); the rest of what the plugin returned still loads.
    """

    @hookspec
    @abstractmethod
    def kportable_rules(self) -> Sequence[RuleSpec]:
        """Return the rules this plugin contributes.

        Each rule is a ``RuleSpec``, made by decorating a check function with
        ``@kportable.rule(id, slug, severity, target=...)``; the function's docstring is the rule's
        documentation, shown by ``kportable explain`` and checked by
        ``kportable.testing.assert_rule_docs``.

        :returns: a list or tuple of ``RuleSpec``.

        **Merging.** The rules of all plugins are concatenated and sorted by id. The built-in
        plugin ``core`` always loads first, then the others in entry-point name order.

        **Conflicts.** A rule whose id, slug or alias is already taken (by any plugin, or twice by
        the same one) is not loaded; the error names both rules and both plugins. A third-party rule
        whose id starts with ``KP`` is not loaded either: that prefix is reserved for kportable's own
        rules, so pick your own (``ACME101``). A rule naming a cloud id that no registered profile
        has is loaded, and the unknown id is reported.

        Added in plugin API 1.
        """

    @hookspec
    @abstractmethod
    def kportable_cloud_profiles(self) -> Sequence[CloudProfile]:
        """Return cloud profiles: the data that ties manifests to a target platform.

        A profile lists what is specific to one platform (annotation and label prefixes, storage
        provisioners and classes, ingress classes, CRD groups, registries, supported Kubernetes
        versions...). The generic cloud rules read every registered profile, so a plugin adds a
        target (OpenShift, an on-prem distribution) with one profile and no code.

        :returns: a list or tuple of ``CloudProfile``, usually loaded from a YAML file shipped in
            the plugin with ``kportable.clouds.load_profile(text, source=...)``.

        **Merging.** A profile with a new ``id`` adds a target, selectable with ``--cloud ID``.
        A profile whose ``extends`` names a registered id adds its entries to that profile
        instead (lists are concatenated, mappings merged, the extension's scalars win), after
        every plugin has loaded.

        **Conflicts.** A second profile with an ``id`` that is already registered and no
        ``extends`` is not loaded; the error names the plugin that registered it first. An
        ``extends`` naming an unknown id is an error.

        Added in plugin API 1.
        """

    @hookspec
    @abstractmethod
    def kportable_output_formats(self) -> Sequence[OutputFormat]:
        """Return output formats for ``kportable lint --format NAME``.

        :returns: a list or tuple of ``OutputFormat(name, help, render)``: ``name`` is lower-case
            kebab-case, ``help`` one line for ``kportable formats``, and ``render(result,
            options)`` returns the whole report as ``str`` (it must not print or exit).

        **Merging.** Formats of all plugins are available side by side, listed by
        ``kportable formats``.

        **Conflicts.** A name that is already registered (``text`` and ``json`` belong to
        ``core``) is not loaded; the error names the plugin that owns it.

        Added in plugin API 1.
        """

    @hookspec
    @abstractmethod
    def kportable_schemas(self) -> Sequence[SchemaSource]:
        """Return extra JSON Schemas, e.g. for a company's CRDs, so their objects are validated.

        :returns: a list or tuple of ``SchemaSource(group, version, kind, schema)``: the API group
            (``""`` for the core group), version and kind of the objects, and the JSON Schema (a
            mapping) their manifests must satisfy.

        **Merging.** Schemas of all plugins are collected; schema validation uses them for
        objects of that group, version and kind.

        **Conflicts.** A second schema for the same (group, version, kind) from any plugin is not
        loaded, unless it sets ``override=True``, in which case it replaces the earlier one. Use
        ``override`` only to correct a schema you do not own. The same goes for a schema of a built-in
        Kubernetes API group (``apps``, ``networking.k8s.io``, ...), whose bundled schemas kportable
        ships: without ``override=True`` it is not loaded and the plugin error says so.

        Added in plugin API 1.
        """
