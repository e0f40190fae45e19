"""Rules: metadata plus one pure function.

A rule is declared with ``@rule(...)`` on a generator function whose docstring is the rule's
documentation (Markdown with ``## What it does``, ``## Why is this bad?``, ``## Example``,
``## Use instead``, optional ``## Options``, ``## Known problems``, ``## References``).
The decorator returns a frozen ``RuleSpec``; plugins hand their specs to kportable through
the ``kportable_rules`` hook. Three shapes of check, by ``target``:

- ``Target.RESOURCE``: ``check(resource, ctx)`` for each resource (``kinds`` narrows which);
- ``Target.WORKLOAD``: ``check(workload, ctx)`` for each Pod, Deployment, StatefulSet, ...;
- ``Target.INVENTORY``: ``check(ctx)`` once, with the whole bundle in ``ctx.inventory``.

Checks never do I/O and never mutate: other objects are reachable only through ``ctx``.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .findings import Effect, Finding, Location, ObjectRef, Severity
from .positions import format_pointer

if TYPE_CHECKING:
    from .clouds import CloudProfile
    from .inventory import Inventory
    from .k8s_versions import KubeVersion
    from .model import Resource
    from .validate import SchemaCatalog

ID_RE = re.compile(r"^[A-Z][A-Z0-9]{0,9}[0-9]{3}$")
SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ALL_CLOUDS = frozenset({"*"})

CATEGORIES = {
    "0": "input",
    "1": "workloads",
    "2": "networking",
    "3": "storage",
    "4": "identity",
    "5": "scheduling",
    "6": "cloud-resources",
    "7": "hygiene",
    "8": "schema",
    "9": "meta",
}


class Target(enum.StrEnum):
    """What a rule's check function receives."""

    RESOURCE = "resource"
    WORKLOAD = "workload"
    INVENTORY = "inventory"


OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True, slots=True)
class NoOptions:
    """The options of a rule that has none."""


CheckFn = Callable[..., Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """Everything kportable knows about a rule.

    ``clouds``: the cloud-profile ids the rule concerns (empty = every cluster, a hygiene rule;
    ``ALL_CLOUDS`` = whichever profiles are registered). ``kinds``: for resource rules, the kinds
    the check runs on (``None`` = all). ``options``: a frozen dataclass type whose fields (in
    kebab-case in config) the rule reads from ``ctx.options``. ``enabled``: on by default.
    ``plugin`` and ``plugin_version`` are filled in by the plugin manager.
    """

    id: str
    slug: str
    severity: Severity
    check: CheckFn
    target: Target
    docs: str
    clouds: frozenset[str] = frozenset()
    kinds: frozenset[str] | None = None
    options: type[Any] = NoOptions
    enabled: bool = True
    since: str = "0.1.0"
    aliases: tuple[str, ...] = ()
    category: str = ""
    help_uri: str = ""
    plugin: str = ""
    plugin_version: str = ""

    @property
    def summary(self) -> str:
        """The first sentence of ``## What it does``, for tables and SARIF ``shortDescription``."""
        section = doc_section(self.docs, "What it does")
        text = " ".join(section.split())
        match = re.match(r"(.+?\.)(\s|$)", text)
        return match.group(1) if match else text

    @property
    def names(self) -> tuple[str, ...]:
        """Every name config and suppressions accept for this rule: id, slug and aliases."""
        return (self.id, self.slug, *self.aliases)

    def with_plugin(self, plugin: str, version: str) -> RuleSpec:
        return dataclasses.replace(self, plugin=plugin, plugin_version=version)


def doc_section(docs: str, heading: str) -> str:
    """The Markdown body under ``## heading`` (up to the next ``## ``), stripped."""
    pattern = re.compile(rf"^##\s+{re.escape(heading)}\s*$(.*?)(?=^##\s|\Z)", re.M | re.S)
    match = pattern.search(docs)
    return match.group(1).strip() if match else ""


def _dedent_doc(doc: str | None) -> str:
    import inspect

    return inspect.cleandoc(doc or "")


def rule(
    id: str,
    slug: str,
    severity: Severity,
    *,
    target: Target,
    clouds: Iterable[str] = (),
    kinds: Iterable[str] | None = None,
    options: type[Any] = NoOptions,
    enabled: bool = True,
    since: str = "0.1.0",
    aliases: Sequence[str] = (),
    category: str = "",
    help_uri: str = "",
) -> Callable[[CheckFn], RuleSpec]:
    """Declare a rule: decorate its check function, get a ``RuleSpec`` to return from ``kportable_rules``.

    The decorated function's docstring is the rule's documentation (Markdown with the sections
    ``## What it does``, ``## Why is this bad?``, ``## Example``, ``## Use instead`` and, when
    the rule has options, ``## Options``).

    :param id: letters then three digits; ``KP`` is reserved for kportable, so use your own
        prefix (``ACME101``). Never reuse an id.
    :param slug: kebab-case name of the *problem* (``image-outside-registry``), accepted wherever
        an id is (``--select``, config, suppressions).
    :param severity: portability impact: ``BLOCKER`` (will not admit or run), ``MAJOR`` (runs but
        behaves differently), ``MINOR`` (needs per-cluster tweaking) or ``INFO``.
    :param target: what the check receives: ``Target.RESOURCE`` (``check(resource, ctx)``, for each
        resource of ``kinds``), ``Target.WORKLOAD`` (``check(workload, ctx)``, for each Pod,
        Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) or ``Target.INVENTORY``
        (``check(ctx)`` once, the whole bundle in ``ctx.inventory``).
    :param clouds: cloud-profile ids the rule concerns; empty for a rule about every cluster,
        ``ALL_CLOUDS`` for a generic rule that reads every registered profile.
    :param kinds: for ``Target.RESOURCE``, the kinds to run on (``None``: every kind).
    :param options: a frozen dataclass type with defaults; config keys are its field names in
        kebab-case, and the check reads ``ctx.options``.
    :param enabled: ``False`` for a rule that runs only when selected by id or slug.
    :param since: the version of your distribution that added the rule.
    :param aliases: former slugs of a renamed rule.
    :param help_uri: a page with more about the rule (shown by ``explain`` and in SARIF).
    :returns: a decorator turning the check function into a frozen ``RuleSpec``.
    """
    if not ID_RE.match(id):
        raise ValueError(f"rule id {id!r} must be letters then three digits, e.g. KP101 or ACME101")
    if not SLUG_RE.match(slug):
        raise ValueError(f"rule slug {slug!r} must be kebab-case, e.g. host-path-volume")
    if not dataclasses.is_dataclass(options):
        raise TypeError(f"options of {id} must be a frozen dataclass type")

    def decorate(fn: CheckFn) -> RuleSpec:
        cat = category or (CATEGORIES.get(id[-3], "other") if id.startswith("KP") else "plugin")
        return RuleSpec(
            id=id,
            slug=slug,
            severity=severity,
            check=fn,
            target=target,
            docs=_dedent_doc(fn.__doc__),
            clouds=frozenset(clouds),
            kinds=frozenset(kinds) if kinds is not None else None,
            options=options,
            enabled=enabled,
            since=since,
            aliases=tuple(aliases),
            category=cat,
            help_uri=help_uri,
        )

    return decorate


def build_options(spec: RuleSpec, raw: Mapping[str, object]) -> Any:
    """Validate config values (kebab-case keys) into the rule's options dataclass.

    Raises ``ValueError`` naming the rule, the unknown key and the known ones, or the field whose
    type is wrong.
    """
    fields = {f.name.replace("_", "-"): f for f in dataclasses.fields(spec.options)}
    kwargs: dict[str, object] = {}
    for key, value in raw.items():
        f = fields.get(key)
        if f is None:
            known = ", ".join(sorted(fields)) or "none"
            raise ValueError(f"rule {spec.id} ({spec.slug}) has no option {key!r}; options: {known}")
        kwargs[f.name] = _coerce(spec, key, f, value)
    return spec.options(**kwargs)


def _coerce(spec: RuleSpec, key: str, f: dataclasses.Field[Any], value: object) -> object:
    default = f.default if f.default is not dataclasses.MISSING else (
        f.default_factory() if f.default_factory is not dataclasses.MISSING else None
    )
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"option {key!r} of {spec.id} must be true or false, not {value!r}")
        return value
    if isinstance(default, int | float) and not isinstance(default, bool):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"option {key!r} of {spec.id} must be a number, not {value!r}")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f"option {key!r} of {spec.id} must be a string, not {value!r}")
        return value
    if isinstance(default, tuple | frozenset | list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"option {key!r} of {spec.id} must be a list of strings, not {value!r}")
        return type(default)(value) if not isinstance(default, list) else list(value)
    return value


@dataclass(frozen=True)
class RuleContext(Generic[OptionsT]):
    """What a check may see: its options, the inventory, the cloud profiles and the run's targets.

    Build findings with ``ctx.finding(...)`` so that rule id, slug, severity, location and
    object identity are always filled in the same way.

    ``k8s_version`` is the Kubernetes minor the run targets (``--k8s-version`` or the default from
    the target clouds' profiles); ``schemas`` finds the JSON Schema of each object for that minor.
    Both are ``None`` only when a context is built outside ``kportable.api.run``.
    """

    spec: RuleSpec
    options: OptionsT
    inventory: Inventory
    clouds: Mapping[str, CloudProfile] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    assume: frozenset[str] = frozenset()
    k8s_version: KubeVersion | None = None
    schemas: SchemaCatalog | None = None

    def finding(
        self,
        resource: Resource,
        pointer: Sequence[str | int],
        message: str,
        *,
        fix: str = "",
        clouds: Iterable[str] = (),
        effect: Effect | None = None,
        severity: Severity | None = None,
        related: Iterable[ObjectRef] = (),
    ) -> Finding:
        """A finding on ``resource`` at ``pointer``, with file, line and column filled in.

        :param resource: the object the finding is about (``workload.resource`` for a workload).
        :param pointer: a path inside the object, e.g. ``("spec", "containers", 0, "image")``; the
            finding lands on the line of its deepest key that exists.
        :param message: one lower-case sentence naming the offender (name objects with ``label(obj)``).
        :param fix: the portable alternative, as an instruction.
        :param clouds: cloud-profile ids the object is tied to (empty for a hygiene finding).
        :param effect: for a cloud tie, ``Effect.BLOCKER``, ``ADAPTATION`` or ``INFO``.
        :param severity: overrides the rule's severity for this finding.
        :param related: other objects (``ObjectRef``) the finding also counts against in scores.
        """
        spec = self.spec
        pointer = tuple(pointer)
        return Finding(  # positional, in field order: every finding of a run is built here
            spec.id,  # rule_id
            spec.slug,  # slug
            severity or spec.severity,  # severity
            message,  # message
            resource.locate(pointer),  # location
            resource.ref,  # obj
            pointer,  # pointer
            format_pointer(pointer),  # path
            tuple(sorted(set(clouds))) if clouds else (),  # clouds
            effect,  # effect
            fix,  # fix
            spec.category,  # category
            None,  # suppressed
            tuple(related) if related else (),  # related
        )

    def finding_at(
        self,
        path: str,
        line: int,
        column: int,
        message: str,
        *,
        fix: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding about a file rather than an object (e.g. a YAML syntax error)."""
        return Finding(
            rule_id=self.spec.id,
            slug=self.spec.slug,
            severity=severity or self.spec.severity,
            message=message,
            location=Location(path, line, column),
            fix=fix,
            category=self.spec.category,
        )
