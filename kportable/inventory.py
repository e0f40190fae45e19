"""The inventory: every resource of the run, indexed, plus the workload graph.

Built once per run; rules read it and never re-scan the input. Cross-resource matching is
indexed by namespace and label (an inverted index from ``(key, value)`` to the workloads whose
pod templates carry it), so selecting pods costs the size of the answer, not the size of the
bundle: no all-pairs loop anywhere.

Graph edges:

- Service, NetworkPolicy, PodDisruptionBudget -> the workloads whose pods they select
  (and the reverse);
- HorizontalPodAutoscaler -> the workload it scales;
- workload -> ServiceAccount, PersistentVolumeClaims (volumes, ``volumeClaimTemplates``,
  ephemeral volumes), StorageClasses, ConfigMaps and Secrets;
- Ingress / Gateway API routes -> backend Services (and so -> workloads), routes -> Gateways,
  Gateways -> GatewayClasses, Ingresses -> IngressClasses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .load import JSON, LoadProblem
from .model import DEFAULT_NAMESPACE, Resource, Workload, as_dict, as_list, as_str
from .positions import Pointer
from .selectors import Selector, parse_equality_selector, parse_label_selector

GATEWAY_GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = frozenset(("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"))
_SELECTING_KINDS = ("Service", "NetworkPolicy", "PodDisruptionBudget")
RBAC_GROUP = "rbac.authorization.k8s.io"
BINDING_KINDS = frozenset(("RoleBinding", "ClusterRoleBinding"))
SA_USER_PREFIX = "system:serviceaccount:"
SA_GROUP = "system:serviceaccounts"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A load problem and the file it came from."""

    path: str
    problem: LoadProblem
    context: bool = False


@dataclass(frozen=True, slots=True)
class ClaimUse:
    """A volume claim a workload uses: a PVC by name, a ``volumeClaimTemplate`` or an ephemeral volume.

    ``pointer`` is where the claim is named in the workload; ``storage_class`` is the class name the
    claim asks for (``None`` when it relies on the cluster default); ``claim`` is the PVC object when
    it is in the bundle.
    """

    workload: Workload
    pointer: Pointer
    name: str
    storage_class: str | None
    storage_class_pointer: Pointer | None
    claim: Resource | None
    source: str  # "persistentVolumeClaim", "volumeClaimTemplate" or "ephemeral"


@dataclass(frozen=True, slots=True)
class Backend:
    """A Service an Ingress or a route sends traffic to."""

    route: Resource
    pointer: Pointer
    namespace: str
    service: str
    target: Resource | None


class Inventory:
    """All resources of a run, indexed by kind, namespace, name and pod labels."""

    def __init__(
        self,
        resources: Sequence[Resource],
        problems: Sequence[FileProblem] = (),
        *,
        non_kubernetes: int = 0,
        empty_documents: int = 0,
        files: int = 0,
        texts: Mapping[str, str] | None = None,
    ) -> None:
        self.resources: tuple[Resource, ...] = tuple(resources)
        self.texts: Mapping[str, str] = texts or {}  # file text by path, for rules that read inside a string
        self.problems: tuple[FileProblem, ...] = tuple(problems)
        self._doc_problems: dict[tuple[str, int], list[LoadProblem]] = defaultdict(list)
        for item in self.problems:
            if item.problem.doc_index is not None:
                self._doc_problems[(item.path, item.problem.doc_index)].append(item.problem)
        self.non_kubernetes = non_kubernetes
        self.empty_documents = empty_documents
        self.files = files
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_ns_kind: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        self._by_name: dict[tuple[str, str | None, str], Resource] = {}
        workloads: list[Workload] = []
        self._workload_of: dict[Resource, Workload] = {}
        for res in self.resources:
            self._by_kind[res.kind].append(res)
            self._by_ns_kind[(res.namespace or DEFAULT_NAMESPACE, res.kind)].append(res)
            self._by_name.setdefault((res.kind, res.namespace, res.name), res)
            w = Workload.of(res)
            if w is not None:
                workloads.append(w)
                self._workload_of[res] = w
        self.workloads: tuple[Workload, ...] = tuple(workloads)
        self._ns_workloads: dict[str, list[Workload]] = defaultdict(list)
        self._label_index: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(list))
        self._key_index: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for w in self.workloads:
            members = self._ns_workloads[w.namespace]
            position = len(members)
            members.append(w)
            for key, value in w.pod_labels.items():
                self._label_index[w.namespace][(key, value)].append(position)
                self._key_index[w.namespace][key].append(position)
        self._selects: dict[Resource, tuple[Workload, ...]] = {}
        self._selected_by: dict[Workload, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
        for kind in _SELECTING_KINDS:
            for res in self.of_kind(kind):
                chosen = self.select(res.namespace or DEFAULT_NAMESPACE, self.selector_of(res))
                self._selects[res] = chosen
                for w in chosen:
                    self._selected_by[w][kind].append(res)
        self._scale_targets: dict[tuple[str, str, str], list[Resource]] = defaultdict(list)
        for hpa in self.of_kind("HorizontalPodAutoscaler"):
            ref = as_dict(hpa.spec.get("scaleTargetRef"))
            target_kind, target_name = as_str(ref.get("kind")), as_str(ref.get("name"))
            if target_kind and target_name:
                self._scale_targets[(hpa.namespace or DEFAULT_NAMESPACE, target_kind, target_name)].append(hpa)
        self._backends: dict[Resource, tuple[Backend, ...]] = {}
        self._routes_to: dict[Resource, list[Resource]] = defaultdict(list)
        for res in self.resources:
            if res.kind == "Ingress" or (res.kind in ROUTE_KINDS and res.group == GATEWAY_GROUP):
                backends = tuple(self._find_backends(res))
                self._backends[res] = backends
                for b in backends:
                    if b.target is not None and res not in self._routes_to[b.target]:
                        self._routes_to[b.target].append(res)
        self._memo: dict[Hashable, Any] = {}  # perf: see ``memo``

    # ------------------------------------------------------------------ lookups

    def problems_of(self, resource: Resource) -> tuple[LoadProblem, ...]:
        """The load problems (``KP0xx``) of the document ``resource`` came from, in file order."""
        return tuple(self._doc_problems.get((resource.doc.path, resource.doc.index), ()))

    def of_kind(self, kind: str, group: str | None = None) -> list[Resource]:
        """Resources of ``kind`` (in input order), optionally only of API ``group`` (``""`` = core)."""
        found = self._by_kind.get(kind, [])
        if group is None:
            return found
        return [r for r in found if r.group == group]

    def get(self, kind: str, namespace: str | None, name: str) -> Resource | None:
        """The first resource of that kind, namespace and name (``namespace=None`` for cluster-scoped)."""
        return self._by_name.get((kind, namespace, name))

    def in_namespace(self, namespace: str, kind: str) -> list[Resource]:
        """Resources of ``kind`` in ``namespace`` (indexed; cluster-scoped kinds count as ``default``)."""
        return list(self._by_ns_kind.get((namespace, kind), ()))

    def workload_of(self, resource: Resource) -> Workload | None:
        return self._workload_of.get(resource)

    @property
    def namespaces_with_workloads(self) -> list[str]:
        return sorted(ns for ns, ws in self._ns_workloads.items() if any(not w.resource.context for w in ws))

    def workloads_in(self, namespace: str) -> list[Workload]:
        return list(self._ns_workloads.get(namespace, ()))

    def has_workloads(self, namespace: str) -> bool:
        """``bool(workloads_in(namespace))`` without copying the list: rules ask it per object."""
        return bool(self._ns_workloads.get(namespace))

    def reported(self) -> Iterator[Resource]:
        """Resources that get findings (everything but ``--context`` inputs)."""
        return (r for r in self.resources if not r.context)

    # ------------------------------------------------------------------ selection

    @staticmethod
    def selector_of(resource: Resource) -> Selector:
        """The pod selector of a Service, NetworkPolicy, PodDisruptionBudget or workload."""
        kind = resource.kind
        spec = resource.spec
        if kind == "Service":
            return parse_equality_selector(spec.get("selector"))
        if kind == "NetworkPolicy":
            # podSelector is required; an omitted one decodes to the empty selector (all pods).
            raw = spec.get("podSelector")
            return parse_label_selector({} if raw is None else raw)
        if kind == "PodDisruptionBudget":
            return parse_label_selector(spec.get("selector"), empty_matches_all=resource.version != "v1beta1")
        if kind == "ReplicationController":
            return parse_equality_selector(spec.get("selector"))
        return parse_label_selector(spec.get("selector"))

    def select(self, namespace: str, selector: Selector) -> tuple[Workload, ...]:
        """Workloads in ``namespace`` whose pod labels match ``selector`` (input order)."""
        members = self._ns_workloads.get(namespace)
        if not members or selector.matches_nothing:
            return ()
        candidates: Iterable[int]
        if selector.match_labels:
            index = self._label_index[namespace]
            postings = [index.get(pair, []) for pair in selector.match_labels]
            smallest = min(postings, key=len)
            candidates = smallest
        else:
            candidates = self._candidates_from_requirements(namespace, selector, len(members))
        return tuple(members[i] for i in sorted(set(candidates)) if selector.matches(members[i].pod_labels))

    def _candidates_from_requirements(self, namespace: str, selector: Selector, size: int) -> Iterable[int]:
        for req in selector.requirements:
            if req.operator == "In":
                index = self._label_index[namespace]
                return [i for v in req.values for i in index.get((req.key, v), [])]
            if req.operator == "Exists":
                return self._key_index[namespace].get(req.key, [])
        return range(size)

    def selected_workloads(self, resource: Resource) -> tuple[Workload, ...]:
        """The workloads a Service, NetworkPolicy or PDB selects."""
        if resource in self._selects:
            return self._selects[resource]
        return self.select(resource.namespace or DEFAULT_NAMESPACE, self.selector_of(resource))

    def selecting(self, workload: Workload, kind: str) -> list[Resource]:
        """Services, NetworkPolicies or PDBs (``kind``) that select ``workload``'s pods."""
        return list(self._selected_by.get(workload, {}).get(kind, ()))

    # ------------------------------------------------------------------ workload edges

    def service_account_of(self, workload: Workload) -> Resource | None:
        return self.get("ServiceAccount", workload.namespace, workload.service_account)

    def bindings_of(self, workload: Workload) -> list[Resource]:
        """RoleBindings and ClusterRoleBindings that grant something to the workload's ServiceAccount
        (as a ``ServiceAccount`` subject, its ``system:serviceaccount:NS:NAME`` user or a
        ``system:serviceaccounts[:NS]`` group), in inventory order."""
        index = self.memo("inventory.bindings", self._index_bindings)
        ns, sa = workload.namespace, workload.service_account
        found = [*index.get(("sa", ns, sa), ()), *index.get(("ns", ns, ""), ()), *index.get(("all", "", ""), ())]
        return [binding for _, binding in sorted(set(found), key=_first)]

    def _index_bindings(self) -> dict[tuple[str, str, str], list[tuple[int, Resource]]]:
        """Per ServiceAccount key (``_service_account_key``), the bindings naming it with their input position."""
        index: dict[tuple[str, str, str], list[tuple[int, Resource]]] = defaultdict(list)
        for position, binding in enumerate(self.resources):
            if binding.kind not in BINDING_KINDS or binding.group != RBAC_GROUP:
                continue
            own_ns = (binding.namespace or DEFAULT_NAMESPACE) if binding.kind == "RoleBinding" else None
            keys = (_service_account_key(as_dict(raw), own_ns) for raw in as_list(binding.data.get("subjects")))
            for key in dict.fromkeys(k for k in keys if k is not None):
                index[key].append((position, binding))
        return index

    def hpas_for(self, workload: Workload) -> list[Resource]:
        """HorizontalPodAutoscalers whose ``scaleTargetRef`` names this workload."""
        return list(self._scale_targets.get((workload.namespace, workload.kind, workload.name), ()))

    def claims_of(self, workload: Workload) -> list[ClaimUse]:
        """Every volume claim the workload's pods use, with the StorageClass it asks for."""
        out: list[ClaimUse] = []
        ns = workload.namespace
        for pointer, vol in workload.volumes:
            pvc_src = as_dict(vol.get("persistentVolumeClaim"))
            claim_name = as_str(pvc_src.get("claimName"))
            if claim_name:
                claim = self.get("PersistentVolumeClaim", ns, claim_name)
                sc, sc_ptr = (None, None) if claim is None else storage_class_request(claim.data, ())
                out.append(
                    ClaimUse(workload, (*pointer, "persistentVolumeClaim", "claimName"), claim_name, sc, sc_ptr,
                             claim, "persistentVolumeClaim")
                )
            ephemeral = as_dict(as_dict(vol.get("ephemeral")).get("volumeClaimTemplate"))
            if ephemeral:
                base = (*pointer, "ephemeral", "volumeClaimTemplate")
                sc, sc_ptr = storage_class_request(ephemeral, base)
                out.append(
                    ClaimUse(workload, base, as_str(vol.get("name")) or "", sc, sc_ptr, None, "ephemeral")
                )
        if workload.kind == "StatefulSet":
            for i, vct in enumerate(as_list(workload.resource.spec.get("volumeClaimTemplates"))):
                if not isinstance(vct, dict):
                    continue
                base = ("spec", "volumeClaimTemplates", i)
                sc, sc_ptr = storage_class_request(vct, base)
                name = as_str(as_dict(vct.get("metadata")).get("name")) or f"volumeClaimTemplates[{i}]"
                out.append(ClaimUse(workload, base, name, sc, sc_ptr, None, "volumeClaimTemplate"))
        return out

    def storage_class(self, name: str) -> Resource | None:
        return self.get("StorageClass", None, name)

    def config_of(self, workload: Workload) -> list[Resource]:
        """ConfigMaps and Secrets in the bundle that the workload reads."""
        out = []
        for kind, name in workload.config_refs:
            res = self.get(kind, workload.namespace, name)
            if res is not None:
                out.append(res)
        return out

    # ------------------------------------------------------------------ traffic edges

    def backends_of(self, route: Resource) -> tuple[Backend, ...]:
        """The Services an Ingress or Gateway API route sends traffic to."""
        return self._backends.get(route, ())

    def routes_to(self, service: Resource) -> list[Resource]:
        """Ingresses and routes that send traffic to ``service``."""
        return list(self._routes_to.get(service, ()))

    def _find_backends(self, route: Resource) -> Iterator[Backend]:
        ns = route.namespace or DEFAULT_NAMESPACE
        spec = route.spec
        if route.kind == "Ingress":
            for pointer, backend in _ingress_backends(spec):
                name = as_str(as_dict(backend.get("service")).get("name")) or as_str(backend.get("serviceName"))
                if name:
                    yield Backend(route, pointer, ns, name, self.get("Service", ns, name))
            return
        for i, rule in enumerate(as_list(spec.get("rules"))):
            for j, raw_ref in enumerate(as_list(as_dict(rule).get("backendRefs"))):
                ref = as_dict(raw_ref)
                if ref.get("group", "") not in ("", None) or ref.get("kind", "Service") != "Service":
                    continue
                name = as_str(ref.get("name"))
                if not name:
                    continue
                target_ns = as_str(ref.get("namespace")) or ns
                pointer = ("spec", "rules", i, "backendRefs", j)
                yield Backend(route, pointer, target_ns, name, self.get("Service", target_ns, name))

    def gateways_of(self, route: Resource) -> list[Resource]:
        """Gateways a route attaches to (``parentRefs``)."""
        out = []
        ns = route.namespace or DEFAULT_NAMESPACE
        for raw_ref in as_list(route.spec.get("parentRefs")):
            ref = as_dict(raw_ref)
            if ref.get("kind", "Gateway") != "Gateway" or ref.get("group", GATEWAY_GROUP) != GATEWAY_GROUP:
                continue
            name = as_str(ref.get("name"))
            gw = self.get("Gateway", as_str(ref.get("namespace")) or ns, name) if name else None
            if gw is not None and gw.group == GATEWAY_GROUP:
                out.append(gw)
        return out

    # ------------------------------------------------------------------ shared derived data (perf)

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, called once per inventory for ``key``: data several rules derive from the same
        objects (one LimitRange/quota summary per namespace) is built once per run, not once per rule
        and object, and goes away with the inventory. ``key`` should start with the caller's name."""
        try:
            value: T = self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
        return value

    # ------------------------------------------------------------------ scoring

    def linked(self, workload: Workload) -> list[Resource]:
        """Objects whose findings count against ``workload``: its Services and the Ingresses/routes
        (and their Gateways) reaching them, ServiceAccount, PVCs and StorageClasses, ConfigMaps and
        Secrets, HPAs and PDBs. Deterministic order, no duplicates, the workload itself first."""
        seen: dict[Resource, None] = {workload.resource: None}
        for svc in self.selecting(workload, "Service"):
            seen.setdefault(svc)
            for route in self.routes_to(svc):
                seen.setdefault(route)
                for gw in self.gateways_of(route):
                    seen.setdefault(gw)
        sa = self.service_account_of(workload)
        if sa is not None:
            seen.setdefault(sa)
        for binding in self.bindings_of(workload):
            seen.setdefault(binding)
        for use in self.claims_of(workload):
            if use.claim is not None:
                seen.setdefault(use.claim)
            if use.storage_class:
                sc = self.storage_class(use.storage_class)
                if sc is not None:
                    seen.setdefault(sc)
        for res in self.config_of(workload):
            seen.setdefault(res)
        for hpa in self.hpas_for(workload):
            seen.setdefault(hpa)
        for pdb in self.selecting(workload, "PodDisruptionBudget"):
            seen.setdefault(pdb)
        return list(seen)


def _first(pair: tuple[int, Resource]) -> int:
    return pair[0]


def _service_account_key(subject: dict[str, JSON], binding_ns: str | None) -> tuple[str, str, str] | None:
    """Which ServiceAccounts an RBAC subject names: ``("sa", ns, name)``, every one of a namespace
    ``("ns", ns, "")``, every one of the cluster ``("all", "", "")``; ``None`` for people and groups."""
    kind, name = as_str(subject.get("kind")), as_str(subject.get("name"))
    if not kind or not name:
        return None
    if kind == "ServiceAccount":
        ns = as_str(subject.get("namespace")) or binding_ns
        return ("sa", ns, name) if ns else None
    if kind == "User" and name.startswith(SA_USER_PREFIX):
        parts = name[len(SA_USER_PREFIX):].split(":")
        return ("sa", parts[0], parts[1]) if len(parts) == 2 and all(parts) else None
    if kind == "Group" and name == SA_GROUP:
        return ("all", "", "")
    if kind == "Group" and name.startswith(SA_GROUP + ":") and name[len(SA_GROUP) + 1:]:
        return ("ns", name[len(SA_GROUP) + 1:], "")
    return None


def storage_class_request(claim: dict[str, JSON], base: Pointer) -> tuple[str | None, Pointer | None]:
    """The StorageClass a claim (PVC body or template) names, and where; the beta annotation counts."""
    spec = as_dict(claim.get("spec"))
    name = spec.get("storageClassName")
    if isinstance(name, str):
        return name.strip(), (*base, "spec", "storageClassName")
    annotations = as_dict(as_dict(claim.get("metadata")).get("annotations"))
    legacy = annotations.get("volume.beta.kubernetes.io/storage-class")
    if isinstance(legacy, str):
        return legacy.strip(), (*base, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
    return None, None


def _ingress_backends(spec: dict[str, JSON]) -> Iterator[tuple[Pointer, dict[str, JSON]]]:
    for key in ("defaultBackend", "backend"):
        backend = as_dict(spec.get(key))
        if backend:
            yield ("spec", key), backend
    for i, rule in enumerate(as_list(spec.get("rules"))):
        paths = as_list(as_dict(as_dict(rule).get("http")).get("paths"))
        for j, path in enumerate(paths):
            backend = as_dict(as_dict(path).get("backend"))
            if backend:
                yield ("spec", "rules", i, "http", "paths", j, "backend"), backend
