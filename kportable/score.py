"""Per-workload portability scores: findings + the workload graph -> a 0-100 score per target.

The formula (documented for users in ``docs/scoring.md``):

1. A workload's findings are those on the objects linked to it (``Inventory.linked``: the
   workload itself, its Services and the Ingresses, routes and Gateways reaching them, its
   ServiceAccount, PVCs and StorageClasses, ConfigMaps and Secrets, HPAs and PDBs) plus every
   finding that names it in ``related`` (a SecretProviderClass it mounts, a ServiceAccount it runs
   as), and the RoleBindings and ClusterRoleBindings that bind its ServiceAccount. Suppressed
   findings and findings without an object (a file that does not parse) do not count. Each
   finding counts once per workload. Findings that no workload counts (RBAC bindings of people,
   aws-auth, a StorageClass nobody uses) get a row per namespace and one for cluster-scoped
   objects, scored the same way.
2. A finding's weight is ``SEVERITY_POINTS[severity] x factor``: the factor is ``EFFECT_FACTOR`` of
   its effect for a cloud tie, and ``HYGIENE_FACTOR`` (1.0 for a blocker) for a finding that
   concerns every cluster.
3. Targets: every registered cloud profile and ``portable`` (any conformant cluster). A cloud tie
   costs on every target *not* in its ``clouds`` (a tie to EKS lowers GKE, AKS and portable, never
   EKS); a hygiene finding costs on every target.
4. Repeats decay: within one (rule, object) group the weights, sorted from the highest, are
   multiplied by 1, 1/2, 1/4, ... so twenty annotations on one Service weigh less than twenty
   different problems.
5. The weights apply multiplicatively, heaviest first: ``score = 100 x prod(1 - w/100)``. The
   points each finding *costs* are its marginal share (the score before it times ``w/100``), so a
   workload's costs on a target always add up to ``100 - score``. Rounded half up at the end.

Everything is sorted before it is summed, so the same findings give the same scores, bytes and
explanations on every run.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .findings import Effect, Finding, ObjectRef, Severity
from .inventory import Inventory
from .score_types import CLUSTER_REF, CLUSTER_ROW, NAMESPACE_ROW, PORTABLE, WORKLOAD_ROW, ScoreCost, WorkloadScore

SEVERITY_POINTS: dict[Severity, float] = {
    Severity.BLOCKER: 50.0,
    Severity.MAJOR: 20.0,
    Severity.MINOR: 8.0,
    Severity.INFO: 0.0,
}
EFFECT_FACTOR: dict[Effect, float] = {Effect.BLOCKER: 1.0, Effect.ADAPTATION: 0.75, Effect.INFO: 0.0}
HYGIENE_FACTOR = 0.5
REPEAT_DECAY = 0.5


def weight(finding: Finding) -> float:
    """The points a finding weighs before repeats decay (0 for informational findings)."""
    base = SEVERITY_POINTS[finding.severity]
    if finding.clouds:
        return base * EFFECT_FACTOR[finding.effect or Effect.ADAPTATION]
    return base if finding.severity is Severity.BLOCKER else base * HYGIENE_FACTOR


def affected_targets(finding: Finding, targets: Sequence[str]) -> list[str]:
    """The targets a finding costs on: all for hygiene, the others for a cloud tie."""
    if not finding.clouds:
        return list(targets)
    return [t for t in targets if t not in finding.clouds]


def score_targets(clouds: Iterable[str]) -> tuple[str, ...]:
    """The score columns: the cloud profile ids (sorted) and ``portable``."""
    return (*sorted(c for c in clouds if c != PORTABLE), PORTABLE)


@dataclass(frozen=True, slots=True)
class _Scored:
    """A finding with what scoring needs, computed once per run (fingerprints hash, so they are not free)."""

    finding: Finding
    weight: float
    fingerprint: str
    group: tuple[str, str]
    order: tuple[str, str, str, int]
    clouds: frozenset[str]


def _scored(f: Finding) -> _Scored:
    obj = str(f.obj)
    fp = f.fingerprint
    return _Scored(f, weight(f), fp, (f.rule_id, obj), (f.rule_id, obj, fp, f.location.line), frozenset(f.clouds))


def compute_scores(
    inventory: Inventory, findings: Iterable[Finding], clouds: Iterable[str]
) -> tuple[WorkloadScore, ...]:
    """The score of every reported workload on every target, in inventory order."""
    targets = score_targets(clouds)
    # keyed by the fields of ``ObjectRef`` (its equality): a tuple hashes in C, a dataclass in Python
    # keyed by the object *and its file*: the same Deployment built by two overlays, or rendered by two
    # values files, is two workloads, and each is charged only with its own render's findings
    by_obj: dict[_Placed, list[_Scored]] = defaultdict(list)
    by_related: dict[_Identity, list[_Scored]] = defaultdict(list)
    for f in findings:
        if f.suppressed is not None or f.obj is None or weight(f) <= 0.0:
            continue
        item = _scored(f)
        by_obj[(*_identity(f.obj), f.location.path)].append(item)
        for ref in f.related:
            by_related[_identity(ref)].append(item)
    out = []
    counted: set[int] = set()
    for w in inventory.workloads:
        if w.resource.context:
            continue
        seen: dict[int, _Scored] = {}
        for res in inventory.linked(w):
            for item in by_obj.get((res.kind, res.namespace, res.name, res.api_version, res.doc.path), ()):
                seen.setdefault(id(item), item)
        for item in by_related.get(_identity(w.ref), ()):
            seen.setdefault(id(item), item)
        counted.update(seen)
        out.append(_score(w.ref, list(seen.values()), targets, file=w.resource.path))
    out.extend(_scope_rows(by_obj, counted, targets))
    return tuple(out)


def _scope_rows(by_obj: dict[_Placed, list[_Scored]], counted: set[int],
                targets: Sequence[str]) -> list[WorkloadScore]:
    """Rows for what no workload row counts: one per namespace, then one for cluster-scoped objects.

    RBAC bindings of people and pipelines, auth configuration (aws-auth), a StorageClass or an
    IngressClass nobody in the bundle uses: they tie the bundle to a cloud all the same, so the
    matrix shows them in a row of their namespace (a Namespace object: its own), or in the
    cluster row. Only rows with something to count are added, namespaces sorted by name.
    """
    rows: dict[str | None, dict[int, _Scored]] = defaultdict(dict)
    for identity, items in by_obj.items():
        kind, namespace, name, _, _ = identity
        row = namespace if namespace is not None else name if kind == "Namespace" else None
        for item in items:
            if id(item) not in counted:
                rows[row].setdefault(id(item), item)
    out = [
        _score(ObjectRef("Namespace", None, ns, "v1"), list(rows[ns].values()), targets, scope=NAMESPACE_ROW)
        for ns in sorted(k for k in rows if k is not None)
    ]
    if None in rows:
        out.append(_score(CLUSTER_REF, list(rows[None].values()), targets, scope=CLUSTER_ROW))
    return out


_Identity = tuple[str, str | None, str, str]
_Placed = tuple[str, str | None, str, str, str]  # an identity and the file the object was read from


def _identity(ref: ObjectRef) -> _Identity:
    return ref.kind, ref.namespace, ref.name, ref.api_version


def score_workload(ref: ObjectRef, findings: Sequence[Finding], targets: Sequence[str]) -> WorkloadScore:
    """One workload's scores and the cost of each finding on each target."""
    return _score(ref, [_scored(f) for f in findings if weight(f) > 0.0], targets)


def _score(ref: ObjectRef, items: list[_Scored], targets: Sequence[str], scope: str = WORKLOAD_ROW,
           file: str = "") -> WorkloadScore:
    if not items:
        return WorkloadScore(ref, dict.fromkeys(targets, 100), (), scope, file)
    scores: dict[str, int] = {}
    costs: list[ScoreCost] = []
    items.sort(key=_order)
    # Targets that the same findings apply to (every target, for hygiene findings) get the same
    # deductions: computed once per distinct set of findings.
    done: dict[tuple[int, ...], tuple[list[_Deduction], int]] = {}
    for target in targets:
        # hygiene costs everywhere, a tie elsewhere
        chosen = tuple(i for i, item in enumerate(items) if target not in item.clouds)
        found = done.get(chosen)
        if found is None:
            found = done[chosen] = _deductions([items[i] for i in chosen])
        deductions, score = found
        costs.extend(ScoreCost(target, *d) for d in deductions)
        scores[target] = score
    return WorkloadScore(ref, scores, tuple(costs), scope, file)


_Deduction = tuple[float, str, str, str, ObjectRef | None]  # ScoreCost without its target


def _order(item: _Scored) -> tuple[str, str, str, int]:
    return item.order


def _heaviest(pair: tuple[float, _Scored]) -> tuple[float, tuple[str, str, str, int]]:
    return -pair[0], pair[1].order


def _deductions(items: list[_Scored]) -> tuple[list[_Deduction], int]:
    """(what each finding costs, heaviest first; the score) for the findings that apply on one target."""
    groups: dict[tuple[str, str], list[_Scored]] = {}
    for item in items:
        group = groups.get(item.group)
        if group is None:
            groups[item.group] = [item]
        else:
            group.append(item)
    weighted: list[tuple[float, _Scored]] = []
    for group in groups.values():
        if len(group) == 1:  # no repeat to decay (x 1.0 exactly)
            weighted.append((group[0].weight, group[0]))
            continue
        group.sort(key=lambda item: -item.weight)
        weighted.extend((item.weight * REPEAT_DECAY**i, item) for i, item in enumerate(group))
    weighted.sort(key=_heaviest)
    remaining = 100.0
    out: list[_Deduction] = []
    for points, item in weighted:
        cost = remaining * min(points, 100.0) / 100.0
        remaining -= cost
        f = item.finding
        out.append((round(cost, 2), f.rule_id, item.fingerprint, f.message, f.obj))
    return out, _round_half_up(remaining)


def _round_half_up(value: float) -> int:
    return math.floor(round(value, 6) + 0.5)
