"""The port plan: what leaves the base, and what each overlay restores, translates or leaves to a person.

``make_plan`` lints the input with the cloud rules only, turns every cloud-tie finding into an
``Item`` (``items.py``) and decides, per target overlay:

- the **source** overlay restores every item, so it rebuilds the original objects exactly;
- an overlay whose cloud the item is *also* tied to (a Karpenter label on AKS, an Azure annotation
  in an EKS bundle) restores it as it was: it is native there;
- otherwise, when a profile recognises the item as a concept (``equivalences.py``) and the target
  declares its side of it, the overlay gets the target's writes and objects (or nothing, when the
  target does it by default);
- otherwise the item goes to the overlay's TODO list with its finding id.

Which findings are items: cloud ties (``clouds`` not empty) that are not informational and not
suppressed. A finding tied to *every* registered profile (an API removed upstream) says nothing
about one cloud; it stays in the base.
"""

from __future__ import annotations

import copy
import enum
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError
from ..findings import Effect, Finding
from ..inventory import Inventory
from ..model import Resource, Workload, as_dict, as_list
from ..plugins.manager import Registry
from ..positions import Pointer, format_pointer
from .equivalences import Equivalences, Side, Write
from .images import ImageRef, neutral_images
from .items import Action, Item, classify
from .transform import Edit, apply_edits


class Outcome(enum.StrEnum):
    RESTORE = "restore"  # the overlay puts the original back (source, or a cloud the item is native to)
    EQUIVALENT = "equivalent"  # the target's side of the concept is written
    DEFAULT = "default"  # the target does it by default: nothing to write
    TODO = "todo"  # no equivalent: a person decides


@dataclass(frozen=True, slots=True)
class Decision:
    item: Item
    outcome: Outcome
    concept: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Fill:
    """A written value a person must complete (it contains REPLACE-ME)."""

    resource: Resource | None
    where: str
    value: str
    note: str


@dataclass(frozen=True, slots=True)
class Todo:
    """A finding this overlay does not carry over, and why."""

    finding: Finding
    reason: str
    moved: bool = False


@dataclass
class TargetPlan:
    """Everything one overlay gets."""

    cloud: str
    source: bool
    decisions: list[Decision] = field(default_factory=list)
    restored_objects: list[Resource] = field(default_factory=list)
    dropped_objects: list[tuple[Resource, Item]] = field(default_factory=list)
    writes: dict[Resource, list[tuple[Write, Pointer, str]]] = field(default_factory=lambda: defaultdict(list))
    images: dict[str, str] = field(default_factory=dict)  # neutral image name -> newName
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # concept -> objects
    fills: list[Fill] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # concept -> the side's note (review list)

    def desired(self, res: Resource, items: Sequence[Item], base_edits: Sequence[Edit]) -> dict[str, Any]:
        """What the object should be in this overlay: the original minus what is not restored, plus writes."""
        restored = {d.item for d in self.decisions if d.outcome is Outcome.RESTORE}
        data = copy.deepcopy(res.data)
        edits = [e for item, e in zip(items, base_edits, strict=True)
                 if item not in restored or item.action is Action.IMAGE]
        apply_edits(data, edits)
        for write, pointer, value in self.writes.get(res, ()):
            _put(data, write, pointer, value)
        return data


@dataclass
class PortObject:
    """One object of the input, its items, and where it lives in its file."""

    resource: Resource
    items: list[Item]

    @property
    def moved(self) -> bool:
        return any(i.action is Action.MOVE for i in self.items)

    @property
    def clouds(self) -> frozenset[str]:
        found: set[str] = set()
        for item in self.items:
            found.update(item.finding.clouds)
        return frozenset(found)


@dataclass
class PlanFile:
    """One input file and its name under ``base/``."""

    path: str
    rel: str
    objects: list[PortObject] = field(default_factory=list)
    skipped: str = ""  # why the file is not ported (does not parse, holds no Kubernetes object)


@dataclass
class Plan:
    source: str
    targets: tuple[str, ...]
    files: list[PlanFile]
    equivalences: Equivalences
    overlays: dict[str, TargetPlan]
    base_edits: dict[Resource, list[Edit]]
    images: dict[str, ImageRef]  # original image -> its neutral form
    cloud_names: dict[str, str]
    problems: list[str] = field(default_factory=list)

    @property
    def objects(self) -> list[PortObject]:
        return [o for f in self.files for o in f.objects]

    @property
    def items(self) -> list[Item]:
        return [i for o in self.objects for i in o.items]


# --------------------------------------------------------------------------- building the plan


def port_findings(findings: Iterable[Finding], all_clouds: frozenset[str]) -> list[Finding]:
    """The findings port acts on: non-informational, unsuppressed cloud ties that single some clouds out."""
    return [f for f in findings
            if f.obj is not None and f.clouds and f.effect is not Effect.INFO and f.suppressed is None
            and not all_clouds <= set(f.clouds)]


def make_plan(
    inventory: Inventory,
    findings: Sequence[Finding],
    registry: Registry,
    *,
    source: str,
    targets: Sequence[str] = (),
    roots: Sequence[str] = (),
) -> Plan:
    """Decide what moves where. ``roots`` are the input paths, for naming the base files."""
    clouds = dict(registry.clouds)
    if source not in clouds:
        raise UserError(f"--from: unknown cloud profile {source!r}; known: {', '.join(sorted(clouds)) or 'none'}")
    unknown = [t for t in targets if t not in clouds]
    if unknown:
        raise UserError(f"--to: unknown cloud profile(s) {', '.join(unknown)}; known: {', '.join(sorted(clouds))}")
    chosen = tuple(dict.fromkeys([source, *(targets or sorted(clouds))]))
    equivalences = Equivalences.of(clouds.values())
    files = _files(inventory, roots)
    by_key = _resources_by_key(inventory)
    problems: list[str] = []
    objects: dict[Resource, PortObject] = {}
    for finding in port_findings(findings, frozenset(clouds)):
        res = _resource_of(finding, by_key)
        if res is None:
            continue
        item = classify(finding, res, inventory)
        objects.setdefault(res, PortObject(res, [])).items.append(item)
    for plan_file in files:
        for res in _file_resources(inventory, plan_file.path):
            plan_file.objects.append(objects.get(res) or PortObject(res, []))
    _check_identities(files)
    images = neutral_images(i.resource.get(*i.target) for o in objects.values() for i in o.items
                            if i.action is Action.IMAGE)
    base_edits = {o.resource: [_base_edit(i, equivalences, images) for i in o.items] for o in objects.values()}
    overlays = {t: _target_plan(t, source, list(objects.values()), equivalences, inventory, images) for t in chosen}
    names = {c: p.name for c, p in clouds.items()}
    return Plan(source, chosen, files, equivalences, overlays, base_edits, images, names, problems)


def _files(inventory: Inventory, roots: Sequence[str]) -> list[PlanFile]:
    paths = list(dict.fromkeys(r.path for r in inventory.resources if not r.context))
    skipped = {p.path: p.problem.message for p in inventory.problems if not p.context}
    for path in skipped:
        if path not in paths:
            paths.append(path)
    rels = relative_names(paths, roots)
    out = []
    for path in paths:
        reason = ""
        if path in skipped and path not in {r.path for r in inventory.resources}:
            reason = f"does not parse: {skipped[path]}"
        out.append(PlanFile(path, rels[path], skipped=reason))
    return out


def relative_names(paths: Sequence[str], roots: Sequence[str]) -> dict[str, str]:
    """Names under ``base/``: each path relative to the input root it came from (directories), its base
    name (files given directly), de-duplicated by the root's name when two roots yield the same name."""
    dirs = [os.path.abspath(r) for r in roots if os.path.isdir(r)]
    out: dict[str, str] = {}
    for path in paths:
        full = os.path.abspath(path)
        root = next((d for d in sorted(dirs, key=len, reverse=True)
                     if full.startswith(d.rstrip(os.sep) + os.sep)), None)
        rel = os.path.relpath(full, root) if root else os.path.basename(full)
        out[path] = rel.replace(os.sep, "/")
    counts: dict[str, int] = defaultdict(int)
    for rel in out.values():
        counts[rel] += 1
    for path, rel in list(out.items()):
        if counts[rel] > 1:
            parent = os.path.basename(os.path.dirname(os.path.abspath(path))) or "input"
            out[path] = f"{parent}/{rel}"
    return out


def _resources_by_key(inventory: Inventory) -> dict[tuple[str, str, str | None, str], list[Resource]]:
    index: dict[tuple[str, str, str | None, str], list[Resource]] = defaultdict(list)
    for res in inventory.resources:
        index[(res.path, res.kind, res.namespace, res.name)].append(res)
    return index


def _resource_of(finding: Finding, index: dict[tuple[str, str, str | None, str], list[Resource]]) -> Resource | None:
    assert finding.obj is not None
    found = index.get((finding.location.path, finding.obj.kind, finding.obj.namespace, finding.obj.name), [])
    if len(found) <= 1:
        return found[0] if found else None
    before = [r for r in found if r.locate(()).line <= finding.location.line]
    return before[-1] if before else found[0]


def _file_resources(inventory: Inventory, path: str) -> list[Resource]:
    return [r for r in inventory.resources if r.path == path and not r.context]


def _check_identities(files: Sequence[PlanFile]) -> None:
    """kustomize refuses two objects with one identity, or an object without a name: say so up front."""
    seen: dict[tuple[str, str, str | None, str], str] = {}
    for plan_file in files:
        for obj in plan_file.objects:
            res = obj.resource
            name = as_dict(res.data.get("metadata")).get("name")
            if not isinstance(name, str) or not name:
                raise UserError(f"{res.path}: {res.kind} at line {res.locate(()).line} has no metadata.name; "
                                "kustomize cannot build it")
            key = (res.api_version.rpartition("/")[0], res.kind, _namespace(res), name)
            if key in seen:
                raise UserError(f"{res.path}: {res.kind} {res.namespace or '-'}/{name} is also defined in {seen[key]}; "
                                "kustomize cannot build a base with both (port them separately)")
            seen[key] = res.path


def _namespace(res: Resource) -> str | None:
    ns = as_dict(res.data.get("metadata")).get("namespace")
    return ns if isinstance(ns, str) and ns else None


def _base_edit(item: Item, equivalences: Equivalences, images: dict[str, ImageRef]) -> Edit:
    if item.action is Action.NEUTRAL:
        side = equivalences.recognize(item.finding.clouds, item.candidates)
        neutral = equivalences.neutral(side.concept) if side is not None else None
        return Edit("set", item.target, neutral) if neutral else Edit("remove", item.target)
    if item.action is Action.IMAGE:
        original = item.resource.get(*item.target)
        return Edit("set", item.target, images[str(original)].neutral)
    return Edit("remove", item.target)


# --------------------------------------------------------------------------- one overlay


def _target_plan(
    cloud: str,
    source: str,
    objects: Sequence[PortObject],
    equivalences: Equivalences,
    inventory: Inventory,
    images: dict[str, ImageRef],
) -> TargetPlan:
    plan = TargetPlan(cloud, cloud == source)
    moved = {o.resource for o in objects if o.moved}
    for obj in objects:
        if obj.moved:
            _moved_object(plan, obj, equivalences)
            continue
        for item in obj.items:
            plan.decisions.append(_decide(plan, item, equivalences, inventory, images, moved))
    return plan


def _moved_object(plan: TargetPlan, obj: PortObject, equivalences: Equivalences) -> None:
    if plan.source or all(plan.cloud in i.finding.clouds for i in obj.items):
        plan.restored_objects.append(obj.resource)
        return
    mover = next(i for i in obj.items if i.action is Action.MOVE)
    for item in obj.items:
        side = equivalences.recognize(item.finding.clouds, item.candidates)
        target = equivalences.side(plan.cloud, side.concept) if side is not None else None
        if side is not None and target is not None:
            _add_objects(plan, target, equivalences)
            plan.decisions.append(Decision(item, Outcome.EQUIVALENT if target.objects else Outcome.DEFAULT,
                                           side.concept))
            return
    plan.dropped_objects.append((obj.resource, mover))
    for item in obj.items:
        plan.todos.append(Todo(item.finding, mover.reason, moved=True))


def _decide(plan: TargetPlan, item: Item, equivalences: Equivalences, inventory: Inventory,
            images: dict[str, ImageRef], moved: set[Resource]) -> Decision:
    if plan.source or plan.cloud in item.finding.clouds:
        if item.action is Action.IMAGE:
            ref = images[str(item.resource.get(*item.target))]
            plan.images[ref.neutral_name] = ref.name
        return Decision(item, Outcome.RESTORE)
    side = equivalences.recognize(item.finding.clouds, item.candidates)
    target = equivalences.side(plan.cloud, side.concept) if side is not None else None
    if side is None or target is None:
        reason = "no cloud profile knows an equivalent" if side is None else \
            f"{side.concept}: the {plan.cloud} profile declares no equivalent"
        plan.todos.append(Todo(item.finding, reason))
        return Decision(item, Outcome.TODO, side.concept if side else "", reason)
    if item.preferred and any(w.at in ("node-selector", "tolerations") for w in target.writes):
        reason = f"{side.concept}: a preferred (soft) node affinity has no hard equivalent; decide per cloud"
        plan.todos.append(Todo(item.finding, reason))
        return Decision(item, Outcome.TODO, side.concept, reason)
    _add_objects(plan, target, equivalences)
    if target.note:
        plan.notes[target.concept] = target.note
    if item.action is Action.IMAGE:
        return _image_decision(plan, item, target, images)
    missing = []
    for write in target.writes:
        receivers = [(r, p) for r, p in _receivers(item.resource, write, inventory) if r not in moved]
        if not receivers:
            missing.append(write)
        for receiver, pointer in receivers:
            value = write.render(receiver.name, _namespace(receiver))
            done = plan.writes.get(receiver, ())
            if any(p == pointer and w.at == write.at and w.key == write.key for w, p, _ in done):
                continue  # another item of the same concept wrote it already
            plan.writes[receiver].append((write, pointer, value))
            if write.needs_input:
                plan.fills.append(Fill(receiver, format_pointer(pointer), value, target.note))
    if missing:
        names = ", ".join(f"{w.at} {w.key}".strip() for w in missing)
        reason = f"{side.concept}: no {missing[0].on.replace('-', ' ')} in the bundle to receive {names}"
        plan.todos.append(Todo(item.finding, reason))
    outcome = Outcome.EQUIVALENT if target.writes or target.objects else Outcome.DEFAULT
    return Decision(item, outcome, side.concept)


def _image_decision(plan: TargetPlan, item: Item, target: Side, images: dict[str, ImageRef]) -> Decision:
    ref = images[str(item.resource.get(*item.target))]
    registry = next((w for w in target.writes if w.at == "image-registry"), None)
    if registry is None:
        plan.todos.append(Todo(item.finding, f"{target.concept}: the {plan.cloud} profile names no registry"))
        return Decision(item, Outcome.TODO, target.concept)
    new_name = f"{registry.value.rstrip('/')}/{ref.repository}"
    plan.images[ref.neutral_name] = new_name
    if registry.needs_input:
        plan.fills.append(Fill(None, f"images[name={ref.neutral_name}].newName", new_name, target.note))
    return Decision(item, Outcome.EQUIVALENT, target.concept)


def _add_objects(plan: TargetPlan, side: Side, equivalences: Equivalences) -> None:
    if not side.objects or side.concept in plan.objects:
        return
    made = side.objects_for(equivalences.neutral(side.concept))
    plan.objects[side.concept] = made
    for obj in made:
        for pointer, value in _placeholders(obj, ()):
            plan.fills.append(Fill(None, f"{obj.get('kind')} {as_dict(obj.get('metadata')).get('name')} "
                                         f"{format_pointer(pointer)}", value, side.note))


def _placeholders(value: Any, pointer: Pointer) -> Iterable[tuple[Pointer, str]]:
    if isinstance(value, str) and "REPLACE-ME" in value:
        yield pointer, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _placeholders(v, (*pointer, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _placeholders(v, (*pointer, i))


def _receivers(res: Resource, write: Write, inventory: Inventory) -> list[tuple[Resource, Pointer]]:
    """The objects (and pointers) a write lands on, seen from the object the concept was found on."""
    if write.on == "service-account":
        accounts = [res] if res.kind == "ServiceAccount" else []
        workload = inventory.workload_of(res)
        if workload is not None:
            account = inventory.service_account_of(workload)
            accounts = [account] if account is not None else []
        return [(a, ("metadata", write.at, write.key)) for a in accounts]
    if write.on == "pod-template":
        return [(w.resource, _pod_pointer(w, write)) for w in _workloads_of(res, inventory)]
    if write.at == "ingress-class":
        return [(res, ("spec", "ingressClassName"))] if res.kind == "Ingress" else []
    if write.at in ("annotations", "labels"):
        return [(res, ("metadata", write.at, write.key))]
    return []


def _workloads_of(res: Resource, inventory: Inventory) -> list[Workload]:
    if res.kind == "ServiceAccount":
        return [w for w in inventory.workloads_in(res.namespace or "default")
                if w.service_account == res.name and not w.resource.context]
    workload = inventory.workload_of(res)
    return [workload] if workload is not None else []


def _pod_pointer(workload: Workload, write: Write) -> Pointer:
    if write.at == "node-selector":
        return workload.spec_pointer("nodeSelector", write.key)
    if write.at == "tolerations":
        return workload.spec_pointer("tolerations")
    return workload.metadata_pointer(write.at, write.key)


def _put(data: dict[str, Any], write: Write, pointer: Pointer, value: str) -> None:
    """Write ``value`` at ``pointer`` (creating maps on the way) unless something is there already:
    what the object already says (restored or native) wins over a translation."""
    node: Any = data
    for part in pointer[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {} if not isinstance(part, int) else [])
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return
    last = pointer[-1]
    if write.at == "tolerations":
        if not isinstance(node, dict):
            return
        tolerations = node.setdefault(last, [])
        wanted = {"key": write.key, "operator": "Equal", "value": value, "effect": write.effect or "NoSchedule"}
        if isinstance(tolerations, list) and not any(as_dict(t).get("key") == write.key for t in as_list(tolerations)):
            tolerations.append(wanted)
        return
    if isinstance(node, dict) and last not in node:
        node[last] = value


# --------------------------------------------------------------------------- counting


@dataclass(frozen=True)
class Summary:
    """Objects with cloud-specific items: how many port cleanly to every other overlay, and why the
    others need a person (one count per object and reason)."""

    objects: int
    clean: int
    reasons: dict[str, int]

    @property
    def needs_human(self) -> int:
        return self.objects - self.clean


def summarize(plan: Plan) -> Summary:
    """Count, over the objects port changed: *clean* when every non-source overlay carries each of the
    object's items (native, equivalent or default) with no value left to fill in."""
    reasons: dict[str, int] = defaultdict(int)
    clean = 0
    objects = [o for o in plan.objects if o.items]
    for obj in objects:
        found: set[str] = set()
        for cloud in plan.targets:
            target = plan.overlays[cloud]
            if target.source:
                continue
            for res, mover in target.dropped_objects:
                if res is obj.resource:
                    found.add(f"object moved whole, no equivalent ({mover.finding.rule_id})")
            for todo in target.todos:
                if not todo.moved and any(todo.finding is i.finding for i in obj.items):
                    found.add(f"no equivalent ({todo.finding.rule_id})")
            for fill in target.fills:
                if fill.resource is obj.resource or (fill.resource is None and obj_has_image(obj)):
                    found.add("value to fill in")
        for reason in found:
            reasons[reason] += 1
        clean += not found
    return Summary(len(objects), clean, dict(sorted(reasons.items())))


def obj_has_image(obj: PortObject) -> bool:
    return any(i.action is Action.IMAGE for i in obj.items)
