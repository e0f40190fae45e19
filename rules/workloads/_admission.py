"""What the API server does to a pod's resources at admission: LimitRange defaults and checks, quotas.

The order is Kubernetes': API defaulting copies a container's limits into missing requests;
the LimitRanger admission plugin then fills missing requests and limits from each LimitRange of
the namespace (first one to name a resource wins) and rejects containers outside any
LimitRange's ``min``/``max``/``maxLimitRequestRatio``; ResourceQuota admission runs last and
rejects a pod when a quota that applies to it constrains ``cpu``/``memory`` (bare names mean
requests), ``requests.*`` or ``limits.*`` of cpu or memory and a container lacks that value.
Other resources (ephemeral storage, GPUs) are counted by quotas but never required.

LimitRange items are read after the API server's own defaulting of the LimitRange object:
``default`` (limits) falls back to ``max``, and ``defaultRequest`` falls back to ``default``
and then to ``min``. So a LimitRange with only ``max: {cpu: 2}`` gives containers without a CPU
request a request *and* a limit of 2.

A ResourceQuota applies to a pod when every scope in ``spec.scopes`` and every expression in
``spec.scopeSelector`` matches it (``Terminating``/``NotTerminating`` on
``activeDeadlineSeconds``, ``BestEffort``/``NotBestEffort`` on the pod's QoS after defaults,
``PriorityClass`` on ``priorityClassName``, ``CrossNamespacePodAffinity`` on affinity terms
with ``namespaces`` or a ``namespaceSelector``). A scope kportable does not know makes the
quota not apply, so it never causes a false blocker.

Pod-level resources (``spec.resources``, Kubernetes 1.34 beta) lift the per-container quota
requirement, as the quota evaluator does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from kportable.inventory import Inventory
from kportable.load import JSON
from kportable.model import Container, Resource, Workload, as_dict, as_list, as_str, label
from kportable.positions import Pointer
from kportable.quantity import Quantity, format_quantity, quantity_or_none

CPU_MEMORY = ("cpu", "memory")
SECTIONS = ("requests", "limits")
MAX_MILLI_VALUE = (2**63 - 1) // 1000

# quota key -> (section, resource) for the keys whose absence on a container rejects the pod
QUOTA_REQUIRED_KEYS: Mapping[str, tuple[str, str]] = {
    "cpu": ("requests", "cpu"),
    "requests.cpu": ("requests", "cpu"),
    "memory": ("requests", "memory"),
    "requests.memory": ("requests", "memory"),
    "limits.cpu": ("limits", "cpu"),
    "limits.memory": ("limits", "memory"),
}


@dataclass(frozen=True, slots=True)
class Setting:
    """One effective value of a container: where it comes from and the key it sits at.

    ``source`` is ``explicit`` (written in the container), ``limit`` (a request the API server
    copies from the limit), ``limitrange`` (a LimitRange default; ``origin`` is the LimitRange)
    or ``pod`` (a pod total). ``pointer`` is always inside the workload: for a default, the
    container's ``resources`` (or the container). ``quantity`` is ``None`` when the written value
    is not a quantity.
    """

    quantity: Quantity | None
    source: str
    pointer: Pointer
    origin: Resource | None = None


@dataclass(frozen=True, slots=True)
class Effective:
    """A container's requests and limits after defaulting and LimitRange defaults."""

    container: Container
    requests: Mapping[str, Setting]
    limits: Mapping[str, Setting]

    def section(self, name: str) -> Mapping[str, Setting]:
        return self.requests if name == "requests" else self.limits


@dataclass(frozen=True, slots=True)
class LimitItem:
    """One ``spec.limits[i]`` of a LimitRange, after the API server's defaulting of the LimitRange."""

    limit_range: Resource
    index: int
    type: str
    default: Mapping[str, Quantity]
    default_request: Mapping[str, Quantity]
    min: Mapping[str, Quantity]
    max: Mapping[str, Quantity]
    ratio: Mapping[str, Quantity]

    @property
    def pointer(self) -> Pointer:
        return ("spec", "limits", self.index)


def _quantities(raw: JSON) -> dict[str, Quantity]:
    out: dict[str, Quantity] = {}
    for key, value in as_dict(raw).items():
        q = quantity_or_none(value)
        if q is not None:
            out[key] = q
    return out


def reported_by_namespace(inventory: Inventory, *, kind: str) -> Iterator[tuple[Admission, list[Workload]]]:
    """Each namespace that has a ``kind`` (LimitRange or ResourceQuota), with its reported workloads.

    Lets the namespace-driven rules (KP105, KP106) build one ``Admission`` per namespace and skip
    namespaces without LimitRanges or quotas at the cost of one index lookup.
    """
    for namespace in inventory.namespaces_with_workloads:
        if not inventory.in_namespace(namespace, kind):
            continue
        workloads = [w for w in inventory.workloads_in(namespace) if not w.resource.context]
        yield Admission.of(inventory, namespace), workloads


def limit_items(limit_range: Resource) -> list[LimitItem]:
    """The items of a LimitRange, with ``default``/``defaultRequest`` filled as the API server fills them."""
    items = []
    for i, raw in enumerate(as_list(limit_range.spec.get("limits"))):
        entry = as_dict(raw)
        kind = as_str(entry.get("type")) or ""
        default, default_request = _quantities(entry.get("default")), _quantities(entry.get("defaultRequest"))
        minimum, maximum = _quantities(entry.get("min")), _quantities(entry.get("max"))
        if kind == "Container":
            for key, q in maximum.items():
                default.setdefault(key, q)
            for key, q in default.items():
                default_request.setdefault(key, q)
            for key, q in minimum.items():
                default_request.setdefault(key, q)
        items.append(LimitItem(limit_range, i, kind, default, default_request, minimum, maximum,
                               _quantities(entry.get("maxLimitRequestRatio"))))
    return items


@dataclass(frozen=True)
class Admission:
    """The LimitRanges and ResourceQuotas of one namespace (``--context`` inputs included).

    One per namespace and run (``of``), shared by KP101-KP106: the LimitRange items are parsed on
    first use, and each container's effective values and each default are worked out once.
    """

    namespace: str
    limit_ranges: tuple[Resource, ...]
    quotas: tuple[Resource, ...]
    _effective: dict[int, Effective] = field(default_factory=dict, init=False, repr=False, compare=False)
    _defaults: dict[tuple[str, str], tuple[Quantity, LimitItem] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, inventory: Inventory, namespace: str) -> Admission:
        """The namespace's admission summary, built once per run."""
        return inventory.memo(("admission", namespace), lambda: cls._build(inventory, namespace))

    @classmethod
    def _build(cls, inventory: Inventory, namespace: str) -> Admission:
        ranges = tuple(inventory.in_namespace(namespace, "LimitRange"))
        quotas = tuple(inventory.in_namespace(namespace, "ResourceQuota"))
        return cls(namespace, ranges, quotas)

    @cached_property
    def items(self) -> tuple[LimitItem, ...]:
        return tuple(item for lr in self.limit_ranges for item in limit_items(lr))

    @cached_property
    def hard(self) -> Mapping[Resource, list[tuple[str, Quantity]]]:
        """Each quota's parsed ``spec.hard`` entries, in order."""
        return {quota: hard_limits(quota) for quota in self.quotas}

    @property
    def container_items(self) -> Iterable[LimitItem]:
        return (item for item in self.items if item.type == "Container")

    def default_for(self, section: str, resource: str) -> tuple[Quantity, LimitItem] | None:
        """The LimitRange default a container without ``section.resource`` gets (first LimitRange wins)."""
        key = (section, resource)
        if key not in self._defaults:
            self._defaults[key] = self._default_for(section, resource)
        return self._defaults[key]

    def _default_for(self, section: str, resource: str) -> tuple[Quantity, LimitItem] | None:
        for lr in self.limit_ranges:
            # within one LimitRange, later Container items override earlier ones for the same key
            found: tuple[Quantity, LimitItem] | None = None
            for item in self.container_items:
                if item.limit_range is not lr:
                    continue
                table = item.default if section == "limits" else item.default_request
                if resource in table:
                    found = (table[resource], item)
            if found is not None:
                return found
        return None

    def effective(self, container: Container) -> Effective:
        """``container``'s requests and limits as the API server sees them after LimitRange defaults."""
        found = self._effective.get(id(container))  # the Effective keeps its container alive: ids stay unique
        if found is None:
            found = self._effective[id(container)] = self._effective_of(container)
        return found

    def _effective_of(self, container: Container) -> Effective:
        resources = container.resources
        base = (*container.pointer, "resources")
        limits = {k: Setting(quantity_or_none(v), "explicit", (*base, "limits", k))
                  for k, v in as_dict(resources.get("limits")).items()}
        requests = {k: Setting(quantity_or_none(v), "explicit", (*base, "requests", k))
                    for k, v in as_dict(resources.get("requests")).items()}
        for key, setting in limits.items():
            if key not in requests:
                requests[key] = Setting(setting.quantity, "limit", setting.pointer)
        for section, table in (("limits", limits), ("requests", requests)):
            for key in self._default_keys(section):
                if key not in table:
                    found = self.default_for(section, key)
                    if found is not None:
                        table[key] = Setting(found[0], "limitrange", base if "resources" in container.data
                                             else container.pointer, found[1].limit_range)
        return Effective(container, requests, limits)

    def _default_keys(self, section: str) -> list[str]:
        keys: list[str] = []
        for item in self.container_items:
            for key in (item.default if section == "limits" else item.default_request):
                if key not in keys:
                    keys.append(key)
        return keys

    def applicable_quotas(self, workload: Workload, effective: Iterable[Effective]) -> list[Resource]:
        """The ResourceQuotas of the namespace whose scopes cover the workload's pods."""
        if not self.quotas:
            return []
        best_effort = all(
            not any(e.section(s).get(r) for s in SECTIONS for r in CPU_MEMORY) for e in effective
        )
        return [q for q in self.quotas if _quota_applies(q, workload, best_effort)]

    def requirement(
        self, workload: Workload, effective: Iterable[Effective], section: str, resource: str
    ) -> tuple[Resource, str] | None:
        """The first applicable quota that makes ``section.resource`` mandatory, and its ``hard`` key."""
        if has_pod_level_resources(workload):
            return None
        for quota in self.applicable_quotas(workload, effective):
            for key in as_dict(quota.spec.get("hard")):
                if QUOTA_REQUIRED_KEYS.get(key) == (section, resource):
                    return quota, key
        return None


def has_pod_level_resources(workload: Workload) -> bool:
    """``spec.resources`` on the pod (pod-level requests or limits)."""
    pod = as_dict(workload.pod_spec.get("resources"))
    return bool(as_dict(pod.get("requests")) or as_dict(pod.get("limits")))


def _terminating(workload: Workload) -> bool:
    value = workload.pod_spec.get("activeDeadlineSeconds")
    return isinstance(value, int) and not isinstance(value, bool)


def _cross_namespace_affinity(workload: Workload) -> bool:
    affinity = workload.affinity
    for kind in ("podAffinity", "podAntiAffinity"):
        spec = as_dict(affinity.get(kind))
        terms = [as_dict(t) for t in as_list(spec.get("requiredDuringSchedulingIgnoredDuringExecution"))]
        terms += [as_dict(as_dict(t).get("podAffinityTerm"))
                  for t in as_list(spec.get("preferredDuringSchedulingIgnoredDuringExecution"))]
        if any(t.get("namespaces") or "namespaceSelector" in t for t in terms):
            return True
    return False


def _scope_matches(scope: str, operator: str, values: list[str], workload: Workload, best_effort: bool) -> bool:
    """Whether a pod matches one quota scope term; unknown scopes or operators never match."""
    if scope == "PriorityClass":
        name = as_str(workload.pod_spec.get("priorityClassName")) or ""
        return {
            "In": name in values,
            "NotIn": name not in values,
            "Exists": name != "",
            "DoesNotExist": name == "",
        }.get(operator, False)
    facts = {
        "Terminating": _terminating(workload),
        "NotTerminating": not _terminating(workload),
        "BestEffort": best_effort,
        "NotBestEffort": not best_effort,
        "CrossNamespacePodAffinity": _cross_namespace_affinity(workload),
    }
    if scope not in facts or operator not in ("Exists", "DoesNotExist"):
        return False
    return facts[scope] if operator == "Exists" else not facts[scope]


def _quota_applies(quota: Resource, workload: Workload, best_effort: bool) -> bool:
    spec = quota.spec
    for scope in as_list(spec.get("scopes")):
        if not isinstance(scope, str) or not _scope_matches(scope, "Exists", [], workload, best_effort):
            return False
    for raw in as_list(as_dict(spec.get("scopeSelector")).get("matchExpressions")):
        expr = as_dict(raw)
        scope, operator = as_str(expr.get("scopeName")), as_str(expr.get("operator"))
        values = [v for v in as_list(expr.get("values")) if isinstance(v, str)]
        if scope is None or operator is None or not _scope_matches(scope, operator, values, workload, best_effort):
            return False
    return True


# ---------------------------------------------------------------------- LimitRange checks


@dataclass(frozen=True, slots=True)
class Violation:
    """A value LimitRanger rejects: what, against which item, and where to fix it."""

    item: LimitItem
    resource: str
    message: str
    pointer: Pointer


def _enforced(values: Iterable[Fraction]) -> list[int]:
    """Values at LimitRanger's common precision: milli-units when all fit, whole units otherwise (rounded up)."""
    # ceil(n / d) as -(-n // d): exact integer arithmetic, without building intermediate Fractions
    vals = [(v.numerator, v.denominator) for v in values]
    if all(-(-n // d) <= MAX_MILLI_VALUE for n, d in vals):
        return [-(-n * 1000 // d) for n, d in vals]
    return [-(-n // d) for n, d in vals]


def container_violations(item: LimitItem, effective: Effective) -> list[Violation]:
    """What a ``type: Container`` item rejects in one container (min, max, maxLimitRequestRatio)."""
    c = effective.container
    fallback = (*c.pointer, "resources") if "resources" in c.data else c.pointer
    return _violations(item, effective.requests, effective.limits, f"container {c.name!r}", fallback)


def pod_violations(item: LimitItem, workload: Workload, effective: Iterable[Effective]) -> list[Violation]:
    """What a ``type: Pod`` item rejects in the pod's totals (sidecars add up, init containers take the max)."""
    effective = list(effective)
    pointer = workload.spec_pointer("containers")
    requests = {k: Setting(Quantity(v, format_quantity(v)), "pod", pointer)
                for k, v in _pod_totals(effective, "requests").items()}
    limits = {k: Setting(Quantity(v, format_quantity(v)), "pod", pointer)
              for k, v in _pod_totals(effective, "limits").items()}
    return _violations(item, requests, limits, "the pod", pointer)


def _pod_totals(effective: list[Effective], section: str) -> dict[str, Fraction]:
    """Kubernetes' pod requests/limits: app containers and sidecars summed, init containers as a floor."""
    total: dict[str, Fraction] = {}
    sidecars: dict[str, Fraction] = {}
    init_floor: dict[str, Fraction] = {}
    for e in effective:
        values = {k: s.quantity.value for k, s in e.section(section).items() if s.quantity is not None}
        c = e.container
        if c.group == "containers":
            _add(total, values)
        elif c.is_sidecar:
            _add(total, values)
            _add(sidecars, values)
            _max(init_floor, sidecars)
        elif c.is_init:
            step = dict(sidecars)
            _add(step, values)
            _max(init_floor, step)
    _max(total, init_floor)
    return total


def _add(into: dict[str, Fraction], values: Mapping[str, Fraction]) -> None:
    for k, v in values.items():
        old = into.get(k)
        into[k] = v if old is None else old + v


def _max(into: dict[str, Fraction], values: Mapping[str, Fraction]) -> None:
    for k, v in values.items():
        if k not in into or v > into[k]:
            into[k] = v


def _violations(
    item: LimitItem, requests: Mapping[str, Setting], limits: Mapping[str, Setting], where: str, fallback: Pointer
) -> list[Violation]:
    out: list[Violation] = []
    for resource, bound in item.min.items():
        req, lim = requests.get(resource), limits.get(resource)
        if req is None:
            out.append(Violation(item, resource, f"{where} sets no {resource} request, and the minimum is {bound}",
                                 fallback))
            continue
        out.extend(_beyond(item, resource, bound, where, "request", req, below=True))
        if lim is not None:
            out.extend(_beyond(item, resource, bound, where, "limit", lim, below=True))
    for resource, bound in item.max.items():
        req, lim = requests.get(resource), limits.get(resource)
        if lim is None:
            out.append(Violation(item, resource, f"{where} sets no {resource} limit, and the maximum is {bound}",
                                 fallback))
            continue
        out.extend(_beyond(item, resource, bound, where, "limit", lim, below=False))
        if req is not None:
            out.extend(_beyond(item, resource, bound, where, "request", req, below=False))
    for resource, ratio in item.ratio.items():
        out.extend(_ratio(item, resource, ratio, where, requests.get(resource), limits.get(resource), fallback))
    return out


def describe_setting(setting: Setting) -> str:
    q = setting.quantity
    text = str(q) if q is not None else "?"
    if setting.source == "limitrange" and setting.origin is not None:
        return f"{text} (the default of {label(setting.origin)})"
    if setting.source == "limit":
        return f"{text} (copied from its limit)"
    return text


def _beyond(
    item: LimitItem, resource: str, bound: Quantity, where: str, what: str, s: Setting, *, below: bool
) -> list[Violation]:
    if s.quantity is None:
        return []
    value, enforced = _enforced((s.quantity.value, bound.value))
    if (value >= enforced) if below else (value <= enforced):
        return []
    side = "below the minimum" if below else "above the maximum"
    text = f"{where} has a {resource} {what} of {describe_setting(s)}, {side} {bound}"
    return [Violation(item, resource, text, s.pointer)]


def _ratio(
    item: LimitItem, resource: str, ratio: Quantity, where: str, req: Setting | None, lim: Setting | None,
    fallback: Pointer,
) -> list[Violation]:
    cap = f"the maximum {resource} limit/request ratio is {ratio}"
    if req is None or lim is None:
        missing = "request" if req is None else "limit"
        return [Violation(item, resource, f"{where} sets no {resource} {missing}, and {cap}", fallback)]
    if req.quantity is None or lim.quantity is None:
        return []
    request_v, limit_v, _ = _enforced((req.quantity.value, lim.quantity.value, ratio.value))
    if request_v == 0:
        return [Violation(item, resource, f"{where} has a {resource} request of 0, and {cap}", req.pointer)]
    if limit_v == 0:
        return [Violation(item, resource, f"{where} has a {resource} limit of 0, and {cap}", lim.pointer)]
    observed = Fraction(limit_v, request_v)
    # LimitRanger compares against the ratio in milli-units (rounded up) unless it is too large for them
    if math.ceil(ratio.value) <= MAX_MILLI_VALUE:
        allowed = Fraction(math.ceil(ratio.value * 1000), 1000)
    else:
        allowed = Fraction(math.ceil(ratio.value))
    if observed <= allowed:
        return []
    return [Violation(item, resource, f"{where} has a {resource} limit/request ratio of {float(observed):g} "
                                      f"({describe_setting(lim)} / {describe_setting(req)}), and {cap}", lim.pointer)]


def default_conflicts(effective: Effective) -> list[tuple[str, Setting, Setting]]:
    """(resource, request, limit) where a LimitRange default limit lands below the container's request.

    Pod validation runs after LimitRanger, so such a pod fails with "must be less than or equal
    to ... limit" although neither the manifest nor the LimitRange is invalid on its own.
    """
    out = []
    for key, lim in effective.limits.items():
        req = effective.requests.get(key)
        if lim.source != "limitrange" or req is None or req.quantity is None or lim.quantity is None:
            continue
        if req.quantity.value > lim.quantity.value:
            out.append((key, req, lim))
    return out


# ---------------------------------------------------------------------- quota usage

BARE_REQUEST_KEYS = frozenset(("cpu", "memory", "ephemeral-storage"))


def quota_resource(key: str) -> tuple[str, str] | None:
    """The pod (section, resource) a ResourceQuota ``hard`` key counts, or ``None`` for other keys.

    ``cpu``, ``memory``, ``ephemeral-storage`` and ``hugepages-*`` mean requests; ``requests.X`` and
    ``limits.X`` are explicit. ``requests.storage`` counts PersistentVolumeClaims, not pods.
    """
    if key in BARE_REQUEST_KEYS or key.startswith("hugepages-"):
        return "requests", key
    section, _, resource = key.partition(".")
    if section in SECTIONS and resource and resource != "storage":
        return section, resource
    return None


def pod_usage(workload: Workload, effective: list[Effective]) -> dict[tuple[str, str], Fraction]:
    """What one pod counts against a quota: pod totals of requests and limits (pod-level values win)."""
    usage: dict[tuple[str, str], Fraction] = {}
    for section in SECTIONS:
        for key, value in _pod_totals(effective, section).items():
            usage[(section, key)] = value
        pod_level = as_dict(as_dict(workload.pod_spec.get("resources")).get(section))
        for key, raw in pod_level.items():
            level = quantity_or_none(raw)
            if level is not None:
                usage[(section, key)] = level.value
    return usage


def hard_limits(quota: Resource) -> list[tuple[str, Quantity]]:
    """The quota's ``spec.hard`` entries that parse as quantities, in order."""
    out = []
    for key, raw in as_dict(quota.spec.get("hard")).items():
        q = quantity_or_none(raw)
        if q is not None:
            out.append((key, q))
    return out
