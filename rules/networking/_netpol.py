"""NetworkPolicy semantics shared by KP251-KP255: policy types, default-deny, isolation, peers.

Only ``networking.k8s.io`` NetworkPolicies count: Calico's and Cilium's own policy kinds use
other selector syntaxes and only work with that CNI, so they neither isolate a workload
portably nor are they parsed here.

Policy types follow the API server's defaulting: an explicit, non-empty ``policyTypes`` is
taken as written; otherwise a policy always has ``Ingress`` and has ``Egress`` only when it
lists at least one egress rule (``egress: []`` does not count). A *default-deny* for a
direction is a policy whose ``podSelector`` is empty (``{}``: every pod of the namespace),
whose types include that direction and which has no rule for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kportable.inventory import Inventory
from kportable.load import JSON
from kportable.model import Resource, Workload, as_dict, as_list, str_map
from kportable.positions import Pointer
from kportable.selectors import parse_label_selector

INGRESS = "Ingress"
EGRESS = "Egress"
DIRECTIONS = (INGRESS, EGRESS)
RULE_KEY = {INGRESS: "ingress", EGRESS: "egress"}
PEER_KEY = {INGRESS: "from", EGRESS: "to"}
POLICY_GROUPS = frozenset(("networking.k8s.io", "extensions"))
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def is_network_policy(resource: Resource) -> bool:
    """A Kubernetes NetworkPolicy (not a CNI-specific policy that shares the kind name)."""
    return resource.kind == "NetworkPolicy" and resource.group in POLICY_GROUPS


def policy_types(policy: Resource) -> frozenset[str]:
    """The directions ``policy`` isolates, with the API server's default when ``policyTypes`` is unset."""
    spec = policy.spec
    declared = as_list(spec.get("policyTypes"))
    if declared:
        return frozenset(t for t in declared if t in DIRECTIONS)
    return frozenset((INGRESS, EGRESS)) if as_list(spec.get("egress")) else frozenset((INGRESS,))


def is_default_deny(policy: Resource, direction: str) -> bool:
    """True when ``policy`` selects every pod of its namespace and allows nothing in ``direction``."""
    if not is_network_policy(policy) or direction not in policy_types(policy):
        return False
    return Inventory.selector_of(policy).is_empty and not as_list(policy.spec.get(RULE_KEY[direction]))


def default_deny(inventory: Inventory, namespace: str, direction: str) -> Resource | None:
    """The first default-deny policy for ``direction`` in ``namespace`` (context inputs included)."""
    for policy in inventory.in_namespace(namespace, "NetworkPolicy"):
        if is_default_deny(policy, direction):
            return policy
    return None


def isolating(inventory: Inventory, workload: Workload, direction: str) -> list[Resource]:
    """NetworkPolicies of the workload's namespace that select its pods for ``direction``."""
    return [
        p for p in inventory.selecting(workload, "NetworkPolicy")
        if is_network_policy(p) and direction in policy_types(p)
    ]


def uses_host_network(workload: Workload) -> bool:
    """Pods on the host network are outside NetworkPolicy's reach on every common CNI."""
    return workload.pod_spec.get("hostNetwork") is True


@dataclass(frozen=True, slots=True)
class Peer:
    """One ``from``/``to`` entry of a policy rule."""

    direction: str
    rule: int
    index: int
    pointer: Pointer
    pod_selector: JSON
    namespace_selector: JSON
    has_ip_block: bool

    @property
    def where(self) -> str:
        """``ingress rule 0, from[1]`` for messages."""
        return f"{RULE_KEY[self.direction]} rule {self.rule}, {PEER_KEY[self.direction]}[{self.index}]"


def peers(policy: Resource) -> Iterator[Peer]:
    """Every peer of every rule of ``policy``, ingress first."""
    spec = policy.spec
    for direction in DIRECTIONS:
        rule_key, peer_key = RULE_KEY[direction], PEER_KEY[direction]
        for i, rule in enumerate(as_list(spec.get(rule_key))):
            for j, raw in enumerate(as_list(as_dict(rule).get(peer_key))):
                peer = as_dict(raw)
                yield Peer(
                    direction, i, j, ("spec", rule_key, i, peer_key, j),
                    peer.get("podSelector"), peer.get("namespaceSelector"), "ipBlock" in peer,
                )


def pinned_namespaces(namespace_selector: JSON) -> frozenset[str] | None:
    """The namespaces a ``namespaceSelector`` can match when it pins them by name, else ``None``.

    Every namespace carries ``kubernetes.io/metadata.name``; a selector that constrains it with
    ``matchLabels`` or ``In`` can only match those names (its other terms only narrow further).
    A selector on any other label may match namespaces the bundle does not describe, so the
    bundle cannot tell what it selects.
    """
    selector = parse_label_selector(namespace_selector)
    if selector.matches_nothing or selector.is_empty:
        return None
    names: set[str] | None = None
    for key, value in selector.match_labels:
        if key == NAMESPACE_NAME_LABEL:
            names = {value} if names is None else names & {value}
    for req in selector.requirements:
        if req.key == NAMESPACE_NAME_LABEL and req.operator == "In":
            names = set(req.values) if names is None else names & req.values
    return None if names is None else frozenset(names)


VOLATILE_LABELS = frozenset(("app.kubernetes.io/version", "helm.sh/chart", "pod-template-hash", "version",
                             "chart", "heritage"))


def pod_label_text(workload: Workload) -> str:
    """The labels a policy should select the pods by: the workload's own ``matchLabels`` when it has
    them (the pods' stable identity), else its pod labels without version-like ones; or a note that
    the pods carry no labels."""
    own = str_map(as_dict(workload.selector).get("matchLabels"))
    labels = own or {k: v for k, v in workload.pod_labels.items() if k not in VOLATILE_LABELS}
    if not labels:
        return "(its pods carry no labels: add one so a policy can select them)"
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def labels_pointer(workload: Workload) -> Pointer:
    """The pod template's labels (where a policy's podSelector aims), or the template metadata."""
    return workload.metadata_pointer("labels")
