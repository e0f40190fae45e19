"""Load plugins from the ``kportable`` entry-point group into a typed, frozen ``Registry``.

This is the only module that touches ``pm.hook``. Each entry point is loaded and each of its
hooks called separately, so a plugin that fails to import, raises in a hook, returns the wrong
type or clashes with another plugin is reported by name and version, and every other plugin
still loads. Built-in rules are the ``core`` entry point of the ``kportable`` distribution.
"""

from __future__ import annotations

import importlib.metadata as md
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pluggy

from ..clouds import CloudProfile
from ..errors import PluginError
from ..report.base import OutputFormat
from ..rule import RuleSpec
from ..schema_source import SchemaSource
from .hookspecs import PROJECT, KportableSpec

PLUGIN_API_VERSION = 1
CORE_DISTRIBUTION = "kportable"
RESERVED_PREFIX = "KP"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What one plugin is and what it registered."""

    name: str
    module: str
    distribution: str
    version: str
    rules: tuple[str, ...] = ()
    clouds: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    schemas: int = 0
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registry:
    """Everything plugins registered, validated and de-duplicated."""

    rules: tuple[RuleSpec, ...] = ()
    clouds: Mapping[str, CloudProfile] = field(default_factory=dict)
    formats: Mapping[str, OutputFormat] = field(default_factory=dict)
    schemas: tuple[SchemaSource, ...] = ()
    plugins: tuple[PluginInfo, ...] = ()
    errors: tuple[PluginError, ...] = ()

    def rule(self, name: str) -> RuleSpec | None:
        """The rule with this id, slug or alias (ids are case-insensitive)."""
        for spec in self.rules:
            if name.upper() == spec.id or name in spec.names:
                return spec
        return None


@dataclass
class _Source:
    name: str
    module: str
    distribution: str
    version: str
    plugin: object


def _entry_point_sources(errors: list[PluginError]) -> list[_Source]:
    sources = []
    eps = sorted(md.entry_points(group=PROJECT), key=lambda ep: (ep.name != "core", ep.name, ep.value))
    seen: set[str] = set()
    for ep in eps:
        if ep.name in seen:
            continue
        seen.add(ep.name)
        dist = getattr(ep, "dist", None)
        dist_name = dist.name if dist is not None else "?"
        version = dist.version if dist is not None else "?"
        try:
            module = ep.load()
        except Exception as exc:  # a broken plugin must not take the others down
            errors.append(
                PluginError(
                    f"plugin {ep.name!r} ({dist_name} {version}) failed to import {ep.value}: "
                    f"{type(exc).__name__}: {exc}",
                    plugin=ep.name,
                )
            )
            continue
        sources.append(_Source(ep.name, ep.value, dist_name, version, module))
    return sources


def _check_api(source: _Source) -> str | None:
    declared = getattr(source.plugin, "KPORTABLE_PLUGIN_API", None)
    if declared is None:
        return None
    if not isinstance(declared, int) or declared > PLUGIN_API_VERSION:
        return (
            f"plugin {source.name!r} ({source.distribution} {source.version}) needs plugin API "
            f"{declared!r}, this kportable provides {PLUGIN_API_VERSION}; upgrade kportable"
        )
    return None


def _call(pm: pluggy.PluginManager, source: _Source, hook: str, errors: list[str]) -> Sequence[Any]:
    """Call one plugin's implementation of ``hook`` (if any), containing its failures."""
    caller = getattr(pm.hook, hook)
    impls = [impl for impl in caller.get_hookimpls() if impl.plugin_name == source.name]
    if not impls:
        return ()
    try:
        result = impls[0].function()
    except Exception as exc:
        tb = traceback.format_exc(limit=3)
        errors.append(f"hook {hook} raised {type(exc).__name__}: {exc}\n{tb}")
        return ()
    if result is None:
        return ()
    if not isinstance(result, list | tuple):
        errors.append(f"hook {hook} must return a list or tuple, not {type(result).__name__}")
        return ()
    return result


def _typed(items: Iterable[Any], kind: type[T], hook: str, errors: list[str]) -> list[T]:
    out = []
    for item in items:
        if isinstance(item, kind):
            out.append(item)
        else:
            errors.append(f"hook {hook} returned {type(item).__name__}, expected {kind.__name__}")
    return out


def build_registry(plugins: Sequence[object] = (), *, entry_points: bool = True) -> Registry:
    """Load every entry point (and ``plugins`` given directly, e.g. by tests) into a ``Registry``.

    Plugin errors are collected in ``Registry.errors``; this function itself never raises for a
    plugin's fault.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(KportableSpec)
    errors: list[PluginError] = []
    sources = _entry_point_sources(errors) if entry_points else []
    for i, plugin in enumerate(plugins):
        name = getattr(plugin, "__name__", None) or f"plugin-{i}"
        sources.append(_Source(str(name), str(name), "(direct)", "", plugin))

    rules: dict[str, RuleSpec] = {}
    names: dict[str, RuleSpec] = {}
    clouds: dict[str, CloudProfile] = {}
    extensions: list[tuple[_Source, CloudProfile]] = []
    formats: dict[str, OutputFormat] = {}
    schemas: list[SchemaSource] = []
    infos: list[PluginInfo] = []

    for source in sources:
        problems: list[str] = []
        api_problem = _check_api(source)
        if api_problem:
            errors.append(PluginError(api_problem, plugin=source.name))
            infos.append(PluginInfo(source.name, source.module, source.distribution, source.version,
                                    errors=(api_problem,)))
            continue
        try:
            pm.register(source.plugin, name=source.name)
            pm.check_pending()
        except Exception as exc:  # pluggy.PluginValidationError: unknown hook or bad signature
            problem = f"is not a valid kportable plugin: {exc}"
            if pm.is_registered(source.plugin):
                pm.unregister(source.plugin)
            errors.append(PluginError(f"plugin {source.name!r} ({source.distribution} {source.version}) {problem}",
                                      plugin=source.name))
            infos.append(PluginInfo(source.name, source.module, source.distribution, source.version,
                                    errors=(problem,)))
            continue
        got_rules = _typed(_call(pm, source, "kportable_rules", problems), RuleSpec, "kportable_rules", problems)
        got_clouds = _typed(
            _call(pm, source, "kportable_cloud_profiles", problems), CloudProfile, "kportable_cloud_profiles",
            problems,
        )
        got_formats = _typed(
            _call(pm, source, "kportable_output_formats", problems), OutputFormat, "kportable_output_formats",
            problems,
        )
        got_schemas = _typed(
            _call(pm, source, "kportable_schemas", problems), SchemaSource, "kportable_schemas", problems
        )

        accepted_rules = []
        for spec in got_rules:
            clash = _rule_clash(spec, source, names)
            if clash:
                problems.append(clash)
                continue
            owned = spec.with_plugin(source.name, source.version)
            rules[owned.id] = owned
            for n in owned.names:
                names[n.lower()] = owned
            accepted_rules.append(owned.id)
        accepted_clouds = []
        for profile in got_clouds:
            if profile.extends:
                extensions.append((source, profile))
                accepted_clouds.append(f"{profile.id} (extends {profile.extends})")
            elif profile.id in clouds:
                problems.append(f"cloud profile {profile.id!r} is already registered by {clouds[profile.id].source}")
            else:
                clouds[profile.id] = profile
                accepted_clouds.append(profile.id)
        accepted_formats = []
        for fmt in got_formats:
            if fmt.name in formats:
                owner = formats[fmt.name].plugin
                problems.append(f"output format {fmt.name!r} is already registered by plugin {owner!r}")
            else:
                formats[fmt.name] = OutputFormat(fmt.name, fmt.help, fmt.render, source.name)
                accepted_formats.append(fmt.name)
        schemas.extend(got_schemas)
        for problem in problems:
            errors.append(
                PluginError(f"plugin {source.name!r} ({source.distribution} {source.version}): {problem}",
                            plugin=source.name)
            )
        infos.append(
            PluginInfo(
                source.name, source.module, source.distribution, source.version,
                tuple(accepted_rules), tuple(accepted_clouds), tuple(accepted_formats), len(got_schemas),
                tuple(problems),
            )
        )

    for source, ext in extensions:
        base = clouds.get(ext.extends or "")
        if base is None:
            errors.append(PluginError(
                f"plugin {source.name!r}: cloud profile {ext.id!r} extends unknown profile {ext.extends!r}",
                plugin=source.name))
            continue
        try:
            clouds[base.id] = _merge_profiles(base, ext)
        except PluginError as exc:  # e.g. the extension redefines a tie id of the base profile
            errors.append(PluginError(f"plugin {source.name!r}: {exc.message}", plugin=source.name))

    known_clouds = set(clouds)
    for spec in list(rules.values()):
        unknown = sorted(c for c in spec.clouds if c != "*" and c not in known_clouds)
        if unknown:
            errors.append(PluginError(
                f"rule {spec.id} of plugin {spec.plugin!r} names unknown cloud profile(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known_clouds)) or 'none'}",
                plugin=spec.plugin))
    return Registry(
        rules=tuple(sorted(rules.values(), key=lambda r: r.id)),
        clouds=dict(sorted(clouds.items())),
        formats=dict(sorted(formats.items())),
        schemas=tuple(schemas),
        plugins=tuple(infos),
        errors=tuple(errors),
    )


def _rule_clash(spec: RuleSpec, source: _Source, names: Mapping[str, RuleSpec]) -> str | None:
    if spec.id.startswith(RESERVED_PREFIX) and source.distribution not in (CORE_DISTRIBUTION, "(direct)"):
        return f"rule id {spec.id} uses the prefix {RESERVED_PREFIX!r}, reserved for kportable's own rules"
    for n in spec.names:
        other = names.get(n.lower())
        if other is not None:
            return (
                f"rule {spec.id} ({spec.slug}) clashes with {other.id} ({other.slug}) of plugin "
                f"{other.plugin!r} on the name {n!r}; it was not loaded"
            )
    return None


def _merge_profiles(base: CloudProfile, ext: CloudProfile) -> CloudProfile:
    """The base profile with the extension's data added: lists (``ties``) are appended, so the base's
    ties still win a first-match lookup; mappings are merged key by key; scalars are replaced."""
    merged: dict[str, Any] = dict(base.data)
    for key, value in ext.data.items():
        if key in ("id", "name", "extends", "description"):
            continue
        current = merged.get(key)
        if isinstance(current, list) and isinstance(value, list):
            merged[key] = [*current, *value]
        elif isinstance(current, dict) and isinstance(value, dict):
            merged[key] = {**current, **value}
        else:
            merged[key] = value
    return CloudProfile(base.id, base.name, merged, f"{base.source} + {ext.source}")


_CACHE: dict[tuple[int, ...], Registry] = {}


def get_registry(plugins: Sequence[object] = ()) -> Registry:
    """The process-wide registry (entry points + ``plugins``), built on first use."""
    key = tuple(id(p) for p in plugins)
    if key not in _CACHE:
        _CACHE[key] = build_registry(plugins)
    return _CACHE[key]


def hook_docs() -> list[tuple[str, str]]:
    """(hook name, docstring) of every hook spec, in declaration order, for ``docs/plugins.md``."""
    import inspect

    out = []
    for name, fn in vars(KportableSpec).items():
        if name.startswith("kportable_") and callable(fn):
            out.append((name, inspect.getdoc(fn) or ""))
    return out

