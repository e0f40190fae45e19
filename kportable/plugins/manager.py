"""Load plugins from the ``kportable`` entry-point group into a typed, frozen ``Registry``.

This is the only module that touches ``pm.hook``. Each entry point is imported and each of its
hooks called separately, so a plugin that fails to import, declares an incompatible plugin API,
raises in a hook, returns the wrong type or clashes with another plugin is reported by name and
version, and every other plugin still loads. Built-in rules are the ``core`` entry point of the
``kportable`` distribution and go through exactly the same path.
"""

from __future__ import annotations

import difflib
import importlib.metadata as md
import inspect
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pluggy

from .. import PLUGIN_API_VERSION
from ..clouds import CloudProfile
from ..errors import PluginError
from ..findings import Severity
from ..k8s_versions import BUILTIN_GROUPS
from ..report.base import OutputFormat
from ..rule import ID_RE, SLUG_RE, RuleSpec, Target
from ..schema_source import SchemaSource
from .hookspecs import PROJECT, KportableSpec

OLDEST_PLUGIN_API_VERSION = 1
"""The oldest plugin API this kportable still loads (``PLUGIN_API_VERSION`` is the newest)."""

API_ATTRIBUTE = "KPORTABLE_PLUGIN_API"
CORE_PLUGIN = "core"
CORE_DISTRIBUTION = "kportable"
DIRECT = "(direct)"
RESERVED_PREFIX = "KP"
HOOKS = tuple(name for name in vars(KportableSpec) if name.startswith("kportable_"))

T = TypeVar("T")

__all__ = [
    "OLDEST_PLUGIN_API_VERSION",
    "PLUGIN_API_VERSION",
    "PluginInfo",
    "Registry",
    "build_registry",
    "clear_registry_cache",
    "get_registry",
]


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What one plugin is and what it registered (``errors``: its load problems, if any)."""

    name: str
    module: str
    distribution: str
    version: str
    rules: tuple[str, ...] = ()
    clouds: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    schemas: int = 0
    errors: tuple[str, ...] = ()
    api: int | None = None


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
        """The rule with this id, slug or alias (case-insensitive)."""
        wanted = name.strip().lower()
        for spec in self.rules:
            if any(wanted == n.lower() for n in spec.names):
                return spec
        return None

    def plugin(self, name: str) -> PluginInfo | None:
        """The plugin registered under this entry-point name."""
        return next((p for p in self.plugins if p.name == name), None)

    def similar_rules(self, name: str, limit: int = 3) -> list[str]:
        """Rule ids and slugs that look like ``name`` (for "did you mean" hints)."""
        names = {n.lower(): n for spec in self.rules for n in (spec.id, spec.slug)}
        return [names[n] for n in difflib.get_close_matches(name.lower(), list(names), n=limit, cutoff=0.6)]


@dataclass
class _Source:
    """A plugin object to load, and where it came from."""

    name: str
    module: str
    distribution: str
    version: str
    plugin: object

    @property
    def label(self) -> str:
        if self.distribution == DIRECT:
            return f"plugin {self.name!r}"
        return f"plugin {self.name!r} ({self.distribution} {self.version})"


# --------------------------------------------------------------------------- discovery


def _entry_point_sources(builder: _Builder) -> list[_Source]:
    """Import every entry point of the ``kportable`` group, ``core`` first, then by name."""
    sources: list[_Source] = []
    eps = sorted(md.entry_points(group=PROJECT), key=lambda ep: (ep.name != CORE_PLUGIN, ep.name, ep.value))
    owners: dict[str, str] = {}
    for ep in eps:
        dist = getattr(ep, "dist", None)
        source = _Source(ep.name, ep.value, dist.name if dist is not None else "?",
                         dist.version if dist is not None else "?", None)
        if ep.name in owners:
            if owners[ep.name] != source.distribution:
                builder.fail(source, [
                    f"the entry-point name {ep.name!r} is already used by {owners[ep.name]}, so this one was "
                    f"not loaded (rename the entry point in one of the two distributions)"
                ])
            continue
        owners[ep.name] = source.distribution
        try:
            source.plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the others down
            builder.fail(source, [f"failed to import {ep.value}: {type(exc).__name__}: {exc}{_where(exc)}"])
            continue
        sources.append(source)
    return sources


def _where(exc: BaseException) -> str:
    """`` (at file:line)`` of the innermost frame of ``exc``, so a load error points at the bug."""
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        return f" (at {exc.filename}:{exc.lineno})"
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {last.filename}:{last.lineno})"


# --------------------------------------------------------------------------- validation of one plugin


def check_api(plugin: object, label: str, *, required: bool = True) -> tuple[int | None, str | None]:
    """The plugin API ``plugin`` declares, and why it cannot be loaded (``None`` when it can)."""
    declared = getattr(plugin, API_ATTRIBUTE, None)
    module = getattr(plugin, "__name__", type(plugin).__name__)
    if declared is None:
        if not required:
            return None, None
        return None, (
            f"{label} does not declare the plugin API it was written for: add "
            f"`{API_ATTRIBUTE} = {PLUGIN_API_VERSION}` to module {module}"
        )
    if not isinstance(declared, int) or isinstance(declared, bool):
        return None, f"{label}: {API_ATTRIBUTE} must be an integer such as {PLUGIN_API_VERSION}, not {declared!r}"
    from .. import __version__

    if declared > PLUGIN_API_VERSION:
        return declared, (
            f"{label} was written for plugin API {declared}, but kportable {__version__} provides plugin "
            f"API {PLUGIN_API_VERSION}: upgrade kportable, or install a release of the plugin made for API "
            f"{PLUGIN_API_VERSION}"
        )
    if declared < OLDEST_PLUGIN_API_VERSION:
        return declared, (
            f"{label} was written for plugin API {declared}, which kportable {__version__} no longer "
            f"supports (it loads API {OLDEST_PLUGIN_API_VERSION} to {PLUGIN_API_VERSION}): upgrade the plugin"
        )
    return declared, None


def _hook_problems(pm: pluggy.PluginManager, source: _Source) -> list[str]:
    """Typos a plugin author makes: an unknown hook name, or a hook function without ``@hookimpl``."""
    problems = []
    for attr in sorted(dir(source.plugin)):
        if attr.startswith("_"):
            continue
        try:
            value = getattr(source.plugin, attr)
            marked = pm.parse_hookimpl_opts(source.plugin, attr) is not None
        except Exception:  # an attribute that raises on access is not a hook
            continue
        if marked and attr not in HOOKS:
            hint = difflib.get_close_matches(attr, HOOKS, n=1)
            problems.append(
                f"{attr} is not a kportable hook" + (f" (did you mean {hint[0]}?)" if hint else "")
                + f"; hooks: {', '.join(HOOKS)}"
            )
        elif not marked and attr in HOOKS and callable(value):
            problems.append(f"{attr} is not marked with @kportable.hookimpl, so kportable would ignore it")
    return problems


def _call(pm: pluggy.PluginManager, source: _Source, hook: str, problems: list[str]) -> Sequence[Any]:
    """Call one plugin's implementation of ``hook`` (if any), containing its failures."""
    caller = getattr(pm.hook, hook)
    impls = [impl for impl in caller.get_hookimpls() if impl.plugin_name == source.name]
    if not impls:
        return ()
    try:
        result = impls[0].function()
    except Exception as exc:
        problems.append(f"hook {hook} raised {type(exc).__name__}: {exc}{_where(exc)}")
        return ()
    if result is None:
        return ()
    if not isinstance(result, list | tuple):
        problems.append(f"hook {hook} must return a list or tuple, not {type(result).__name__}")
        return ()
    return result


def _typed(
    items: Iterable[Any], kind: type[T], hook: str, problems: list[str], check: Callable[[T], str | None]
) -> list[T]:
    """The items of the expected type that pass ``check``; a problem for every other one."""
    out = []
    for item in items:
        if not isinstance(item, kind):
            problems.append(f"hook {hook} returned {_describe(item)}, expected {kind.__name__}")
            continue
        problem = check(item)
        if problem:
            problems.append(f"hook {hook}: {problem}")
            continue
        out.append(item)
    return out


def _describe(item: object) -> str:
    text = repr(item)
    return f"{type(item).__name__} {text[:60] + '...' if len(text) > 60 else text}"


def _check_rule(spec: RuleSpec) -> str | None:
    """A ``RuleSpec`` built by hand (not by ``@rule``) may hold anything; reject what the engine cannot run."""
    if not isinstance(spec.id, str) or not ID_RE.match(spec.id):
        return f"rule id {spec.id!r} must be letters then three digits, e.g. ACME101"
    if not isinstance(spec.slug, str) or not SLUG_RE.match(spec.slug):
        return f"rule {spec.id}: slug {spec.slug!r} must be kebab-case"
    if not isinstance(spec.severity, Severity):
        return f"rule {spec.id}: severity must be a kportable.Severity, not {spec.severity!r}"
    if not isinstance(spec.target, Target):
        return f"rule {spec.id}: target must be a kportable.Target, not {spec.target!r}"
    if not callable(spec.check):
        return f"rule {spec.id}: check is not callable"
    return None


def _check_format(fmt: OutputFormat) -> str | None:
    if not isinstance(fmt.name, str) or not SLUG_RE.match(fmt.name):
        return f"output format name {fmt.name!r} must be lower-case kebab-case"
    if not callable(fmt.render):
        return f"output format {fmt.name!r}: render is not callable"
    return None


def _check_schema(schema: SchemaSource) -> str | None:
    if not all(isinstance(v, str) for v in (schema.group, schema.version, schema.kind)) or not schema.kind:
        return f"schema {schema.group!r}/{schema.version!r}/{schema.kind!r}: group, version and kind must be strings"
    if not isinstance(schema.schema, Mapping):
        return f"schema for {schema.api_version} {schema.kind} must be a mapping (a JSON Schema object)"
    return None


def _check_profile(profile: CloudProfile) -> str | None:
    if not isinstance(profile.id, str) or not profile.id:
        return f"cloud profile id must be a non-empty string, not {profile.id!r}"
    return None


# --------------------------------------------------------------------------- the registry


@dataclass
class _Builder:
    """Accumulates what plugins register, in load order, and the conflicts between them."""

    errors: list[PluginError] = field(default_factory=list)
    rules: dict[str, RuleSpec] = field(default_factory=dict)
    names: dict[str, RuleSpec] = field(default_factory=dict)
    clouds: dict[str, CloudProfile] = field(default_factory=dict)
    cloud_owners: dict[str, str] = field(default_factory=dict)
    extensions: list[tuple[_Source, CloudProfile]] = field(default_factory=list)
    formats: dict[str, OutputFormat] = field(default_factory=dict)
    schemas: dict[tuple[str, str, str], SchemaSource] = field(default_factory=dict)
    infos: list[PluginInfo] = field(default_factory=list)

    def fail(self, source: _Source, problems: Sequence[str], api: int | None = None) -> None:
        """Record a plugin that could not be loaded at all."""
        for problem in problems:
            self.errors.append(PluginError(f"{source.label}: {problem}", plugin=source.name))
        self.infos.append(PluginInfo(source.name, source.module, source.distribution, source.version,
                                     errors=tuple(problems), api=api))

    def load(self, pm: pluggy.PluginManager, source: _Source) -> None:
        api, api_problem = check_api(source.plugin, source.label, required=source.distribution != DIRECT)
        if api_problem:
            self.errors.append(PluginError(api_problem, plugin=source.name))
            self.infos.append(PluginInfo(source.name, source.module, source.distribution, source.version,
                                         errors=(api_problem,), api=api))
            return
        problems = _hook_problems(pm, source)
        if problems:
            self.fail(source, problems, api)
            return
        if not any(pm.parse_hookimpl_opts(source.plugin, hook) is not None for hook in HOOKS if
                   hasattr(source.plugin, hook)):
            self.fail(source, [f"implements no kportable hook (mark them with @kportable.hookimpl): "
                               f"{', '.join(HOOKS)}"], api)
            return
        try:
            pm.register(source.plugin, name=source.name)
            pm.check_pending()
        except Exception as exc:  # pluggy.PluginValidationError: a hook with arguments, a bad signature
            if pm.is_registered(source.plugin):
                pm.unregister(source.plugin)
            self.fail(source, [f"is not a valid kportable plugin: {' '.join(str(exc).split())}"], api)
            return

        got_rules = _typed(_call(pm, source, "kportable_rules", problems), RuleSpec, "kportable_rules",
                           problems, _check_rule)
        got_clouds = _typed(_call(pm, source, "kportable_cloud_profiles", problems), CloudProfile,
                            "kportable_cloud_profiles", problems, _check_profile)
        got_formats = _typed(_call(pm, source, "kportable_output_formats", problems), OutputFormat,
                             "kportable_output_formats", problems, _check_format)
        got_schemas = _typed(_call(pm, source, "kportable_schemas", problems), SchemaSource, "kportable_schemas",
                             problems, _check_schema)
        rules = [self._add_rule(spec, source, problems) for spec in got_rules]
        clouds = [self._add_cloud(profile, source, problems) for profile in got_clouds]
        formats = [self._add_format(fmt, source, problems) for fmt in got_formats]
        schemas = [self._add_schema(schema, source, problems) for schema in got_schemas]
        for problem in problems:
            self.errors.append(PluginError(f"{source.label}: {problem}", plugin=source.name))
        self.infos.append(PluginInfo(
            source.name, source.module, source.distribution, source.version,
            rules=tuple(sorted(r for r in rules if r)), clouds=tuple(c for c in clouds if c),
            formats=tuple(f for f in formats if f), schemas=sum(schemas), errors=tuple(problems), api=api,
        ))

    def _add_rule(self, spec: RuleSpec, source: _Source, problems: list[str]) -> str | None:
        if spec.id.startswith(RESERVED_PREFIX) and source.distribution not in (CORE_DISTRIBUTION, DIRECT):
            problems.append(
                f"rule {spec.id} ({spec.slug}) was not loaded: the id prefix {RESERVED_PREFIX!r} is reserved "
                f"for kportable's own rules; use a prefix of your own, e.g. ACME{spec.id[-3:]}"
            )
            return None
        for n in spec.names:
            other = self.names.get(n.lower())
            if other is not None:
                problems.append(
                    f"rule {spec.id} ({spec.slug}) was not loaded: the name {n!r} is already taken by rule "
                    f"{other.id} ({other.slug}) of plugin {other.plugin!r}"
                )
                return None
        owned = spec.with_plugin(source.name, source.version)
        self.rules[owned.id] = owned
        for n in owned.names:
            self.names[n.lower()] = owned
        return owned.id

    def _add_cloud(self, profile: CloudProfile, source: _Source, problems: list[str]) -> str | None:
        if profile.extends:
            self.extensions.append((source, profile))
            return f"{profile.id} (extends {profile.extends})"
        if profile.id in self.clouds:
            problems.append(
                f"cloud profile {profile.id!r} was not loaded: plugin {self.cloud_owners[profile.id]!r} "
                f"already registers it ({self.clouds[profile.id].source})"
            )
            return None
        self.clouds[profile.id] = profile
        self.cloud_owners[profile.id] = source.name
        return profile.id

    def _add_format(self, fmt: OutputFormat, source: _Source, problems: list[str]) -> str | None:
        if fmt.name in self.formats:
            problems.append(
                f"output format {fmt.name!r} was not loaded: plugin {self.formats[fmt.name].plugin!r} "
                f"already registers it"
            )
            return None
        self.formats[fmt.name] = OutputFormat(fmt.name, fmt.help, fmt.render, source.name)
        return fmt.name

    def _add_schema(self, schema: SchemaSource, source: _Source, problems: list[str]) -> int:
        key = (schema.group, schema.version, schema.kind)
        if schema.group in BUILTIN_GROUPS and not schema.override:
            problems.append(
                f"schema for {schema.api_version} {schema.kind} was not loaded: it replaces a built-in "
                "Kubernetes schema (set override=True if that is intended)"
            )
            return 0
        owned = SchemaSource(schema.group, schema.version, schema.kind, schema.schema,
                             schema.origin or source.name, schema.override)
        if key in self.schemas and not schema.override:
            problems.append(
                f"schema for {schema.api_version} {schema.kind} was not loaded: {self.schemas[key].origin} "
                f"already registers one (set override=True to replace it)"
            )
            return 0
        self.schemas[key] = owned
        return 1

    def finish(self) -> Registry:
        for source, ext in self.extensions:
            base = self.clouds.get(ext.extends or "")
            if base is None:
                self.errors.append(PluginError(
                    f"{source.label}: cloud profile {ext.id!r} extends unknown profile {ext.extends!r}",
                    plugin=source.name))
                continue
            try:
                self.clouds[base.id] = _merge_profiles(base, ext)
            except PluginError as exc:  # e.g. the extension redefines a tie id of the base profile
                self.errors.append(PluginError(f"{source.label}: {exc.message}", plugin=source.name))
        known_clouds = set(self.clouds)
        for spec in self.rules.values():
            unknown = sorted(c for c in spec.clouds if c != "*" and c not in known_clouds)
            if unknown:
                self.errors.append(PluginError(
                    f"rule {spec.id} of plugin {spec.plugin!r} names unknown cloud profile(s) "
                    f"{', '.join(unknown)}; known: {', '.join(sorted(known_clouds)) or 'none'}",
                    plugin=spec.plugin))
        return Registry(
            rules=tuple(sorted(self.rules.values(), key=lambda r: r.id)),
            clouds=dict(sorted(self.clouds.items())),
            formats=dict(sorted(self.formats.items())),
            schemas=tuple(self.schemas.values()),
            plugins=tuple(self.infos),
            errors=tuple(self.errors),
        )


def build_registry(plugins: Sequence[object] = (), *, entry_points: bool = True) -> Registry:
    """Load every entry point (and ``plugins`` given directly, e.g. by tests) into a ``Registry``.

    Plugins passed directly are loaded after the entry points, named by their ``__name__``, and
    need not declare ``KPORTABLE_PLUGIN_API`` (a declared one is still checked). Plugin errors are
    collected in ``Registry.errors``; this function itself never raises for a plugin's fault.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(KportableSpec)
    builder = _Builder()
    sources = _entry_point_sources(builder) if entry_points else []
    for i, plugin in enumerate(plugins):
        name = getattr(plugin, "__name__", None) or f"plugin-{i}"
        sources.append(_Source(str(name), str(name), DIRECT, "", plugin))
    for source in sources:
        builder.load(pm, source)
    return builder.finish()


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


_CACHE: dict[tuple[int, ...], tuple[tuple[object, ...], Registry]] = {}


def get_registry(plugins: Sequence[object] = ()) -> Registry:
    """The process-wide registry (entry points + ``plugins``), built on first use."""
    key = tuple(id(p) for p in plugins)
    cached = _CACHE.get(key)
    # Keep the plugin objects alive with the entry, so a recycled id() can never alias another plugin.
    if cached is None or any(a is not b for a, b in zip(cached[0], plugins, strict=True)):
        cached = (tuple(plugins), build_registry(plugins))
        _CACHE[key] = cached
    return cached[1]


def clear_registry_cache() -> None:
    """Forget every registry built so far (tests that install or remove plugins call this)."""
    _CACHE.clear()


def hook_docs() -> list[tuple[str, str, str]]:
    """(hook name, signature, docstring) of every hook spec, in declaration order."""
    out = []
    for name in HOOKS:
        fn = vars(KportableSpec)[name]
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.name != "self"]
        ret = sig.return_annotation
        text = f"{name}({', '.join(str(p) for p in params)})" + (f" -> {ret}" if ret is not sig.empty else "")
        out.append((name, text, inspect.getdoc(fn) or ""))
    return out
