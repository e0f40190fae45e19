"""Resources and workloads: the normalised, read-only view rules work on.

Parser types never leave ``load``; here every object is plain data plus a way back to its
file and line. ``Workload`` knows, once for all rules, where each kind keeps its pod template,
so no rule repeats the Deployment/CronJob/Pod branching.

Manifests can hold anything (a string where a list belongs, a number as a name), so every
accessor here is defensive: a wrong type reads as empty, never raises. Schema validation
reports the wrong type; the portability rules simply see nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .findings import Location, ObjectRef
from .load import JSON, Document
from .positions import Pointer, format_pointer, line_column

WORKLOAD_KINDS = frozenset(
    ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController")
)

# Kinds that are cluster-scoped in Kubernetes and in the common add-ons kportable knows.
CLUSTER_SCOPED_KINDS = frozenset(
    (
        "Namespace", "Node", "PersistentVolume", "StorageClass", "VolumeAttachment", "CSIDriver", "CSINode",
        "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "APIService", "PriorityClass",
        "InitializerConfiguration",
        "PriorityLevelConfiguration", "FlowSchema", "RuntimeClass", "IngressClass", "GatewayClass",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
        "PodSecurityPolicy", "CertificateSigningRequest", "ComponentStatus", "TokenReview",
        "SelfSubjectReview", "SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectRulesReview",
        "DeviceClass", "VolumeAttributesClass", "ResourceSlice", "DeviceTaintRule", "ResourceClass",
        "ClusterTrustBundle", "IPAddress", "ServiceCIDR", "ClusterCIDR", "StorageVersion", "StorageVersionMigration",
        # CSI snapshots (snapshot.storage.k8s.io, installed on every cloud's managed CSI stack)
        "VolumeSnapshotClass", "VolumeSnapshotContent", "VolumeGroupSnapshotClass", "VolumeGroupSnapshotContent",
        # add-ons and cloud CRDs that are cluster-scoped
        "ClusterIssuer", "ClusterSecretStore", "ClusterExternalSecret", "ComputeClass", "NodePool",
        "NodeClass", "EC2NodeClass", "AKSNodeClass", "Provisioner", "AWSNodeTemplate", "ENIConfig",
        "ClusterPolicy", "ClusterPodMonitoring", "ClusterRules", "GlobalNetworkPolicy",
        "CiliumClusterwideNetworkPolicy", "CiliumLoadBalancerIPPool", "ClusterTriggerAuthentication",
        "IngressClassParams", "GatewayClassConfig", "AzureIdentityException", "NodeClaim", "ClusterQueue",
        "ResourceFlavor", "AdmissionCheck", "CompositeResourceDefinition", "Composition", "ResourceGraphDefinition",
        "ClusterPolicyReport", "CiliumNode", "ClusterNodeMonitoring",
    )
)

DEFAULT_NAMESPACE = "default"


def value_at(data: JSON, pointer: Sequence[str | int]) -> JSON:
    """The value at ``pointer`` inside ``data`` (``None`` when any step is missing or of the wrong type)."""
    node = data
    for part in pointer:
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return None
            node = node[part]
        else:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
    return node


def label(obj: Resource | Workload | ObjectRef) -> str:
    """How every message names an object: ``Deployment 'shop/web'`` for a namespaced object,
    ``StorageClass 'fast'`` for a cluster-scoped one (``ObjectRef.label``). One helper, so a person
    can search the output for ``shop/web`` and find every finding about it, whichever rule wrote it."""
    ref = obj if isinstance(obj, ObjectRef) else obj.ref
    return ref.label


def as_dict(value: object) -> dict[str, JSON]:
    """``value`` if it is a mapping, else an empty dict (wrong types read as absent)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[JSON]:
    """``value`` if it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    """``value`` if it is a string, else ``None``."""
    return value if isinstance(value, str) else None


def scalar_text(raw: object) -> str | None:
    """A scalar as the text Kubernetes compares (YAML ``true`` -> ``"true"``, ``2`` -> ``"2"``);
    ``None`` for maps, lists and null. Label values, selector values and profile matches use it."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float):
        return str(raw)
    return None


def str_map(value: object) -> dict[str, str]:
    """The string-valued entries of a mapping (labels, annotations, nodeSelector)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, str] = {}
    for k, v in value.items():  # a loop, not a comprehension: twice as fast here (every object's labels)
        if isinstance(v, str):
            out[k] = v
        elif not isinstance(v, dict | list):
            out[k] = _scalar_text(v)
    return out


def _scalar_text(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> (``apps``, ``v1``); ``v1`` -> (``""``, ``v1``) (the core group)."""
    if "/" in api_version:
        group, _, version = api_version.rpartition("/")
        return group, version
    return "", api_version


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """One Kubernetes object from the input, with its identity and its place in the file.

    ``base`` is the pointer of the object inside its document (``("items", 3)`` for an item
    of a ``kind: List``; empty otherwise). ``context`` marks objects read with ``--context``:
    indexed for cross-resource rules, never reported on.
    """

    doc: Document
    base: Pointer
    data: dict[str, JSON]
    api_version: str
    kind: str
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    context: bool = False

    @property
    def group(self) -> str:
        return split_api_version(self.api_version)[0]

    @property
    def version(self) -> str:
        return split_api_version(self.api_version)[1]

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name, self.api_version)

    @property
    def path(self) -> str:
        return self.doc.path

    @property
    def spec(self) -> dict[str, JSON]:
        return as_dict(self.data.get("spec"))

    def get(self, *pointer: str | int) -> JSON:
        """The value at ``pointer`` (``None`` when any step is missing or of the wrong type)."""
        return value_at(self.data, pointer)

    def locate(self, pointer: Sequence[str | int] = ()) -> Location:
        """File, line and column of ``pointer`` inside this object (deepest existing ancestor)."""
        doc = self.doc
        line, column, _ = line_column(doc.shadow, (*self.base, *pointer) if self.base else pointer)
        return Location(doc.path, line, column, origin=doc.origin)

    def key_path(self, pointer: Sequence[str | int]) -> str:
        return format_pointer(pointer)

    def __repr__(self) -> str:
        return f"<Resource {self.ref} {self.doc.path}:{self.doc.line}>"


@dataclass(frozen=True, slots=True)
class Container:
    """A container of a pod template; ``group`` is ``containers``, ``initContainers`` or ``ephemeralContainers``."""

    pointer: Pointer
    data: dict[str, JSON]
    group: str
    index: int

    @property
    def name(self) -> str:
        return as_str(self.data.get("name")) or f"{self.group}[{self.index}]"

    @property
    def image(self) -> str | None:
        return as_str(self.data.get("image"))

    @property
    def resources(self) -> dict[str, JSON]:
        return as_dict(self.data.get("resources"))

    @property
    def is_init(self) -> bool:
        return self.group == "initContainers"

    @property
    def is_sidecar(self) -> bool:
        """A native sidecar: an init container with ``restartPolicy: Always`` (runs for the pod's life)."""
        return self.is_init and self.data.get("restartPolicy") == "Always"


_TEMPLATE_POINTER: dict[str, Pointer] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


@dataclass(frozen=True, eq=False)
class Workload:
    """A resource that runs pods, seen through its pod template.

    ``template`` points at the pod template (the Pod itself for ``kind: Pod``), so
    ``spec_pointer("volumes", 0)`` is the pointer of the first volume for every kind.
    """

    resource: Resource
    template: Pointer = field(default=())

    @classmethod
    def of(cls, resource: Resource) -> Workload | None:
        pointer = _TEMPLATE_POINTER.get(resource.kind)
        if pointer is None:
            return None
        return cls(resource, pointer)

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def namespace(self) -> str:
        return self.resource.namespace or DEFAULT_NAMESPACE

    @property
    def ref(self) -> ObjectRef:
        return self.resource.ref

    @cached_property
    def pod_metadata(self) -> dict[str, JSON]:
        return as_dict(self.resource.get(*self.template, "metadata"))

    @cached_property
    def pod_labels(self) -> dict[str, str]:
        return str_map(self.pod_metadata.get("labels"))

    @cached_property
    def pod_annotations(self) -> dict[str, str]:
        return str_map(self.pod_metadata.get("annotations"))

    @cached_property
    def pod_spec(self) -> dict[str, JSON]:
        return as_dict(self.resource.get(*self.template, "spec"))

    def spec_pointer(self, *parts: str | int) -> Pointer:
        """Pointer (relative to the resource) of ``parts`` inside the pod spec."""
        return (*self.template, "spec", *parts)

    def metadata_pointer(self, *parts: str | int) -> Pointer:
        """Pointer of ``parts`` inside the pod template's metadata."""
        return (*self.template, "metadata", *parts)

    @cached_property
    def containers(self) -> tuple[Container, ...]:
        """Every container: regular, init and ephemeral, in that order."""
        out: list[Container] = []
        spec = self.pod_spec
        for group in ("containers", "initContainers", "ephemeralContainers"):
            for i, item in enumerate(as_list(spec.get(group))):
                if isinstance(item, dict):
                    out.append(Container(self.spec_pointer(group, i), item, group, i))
        return tuple(out)

    @property
    def app_containers(self) -> Iterator[Container]:
        """Containers that run for the pod's life: regular ones and native sidecars."""
        return (c for c in self.containers if c.group == "containers" or c.is_sidecar)

    @cached_property
    def volumes(self) -> tuple[tuple[Pointer, dict[str, JSON]], ...]:
        return tuple(
            (self.spec_pointer("volumes", i), v)
            for i, v in enumerate(as_list(self.pod_spec.get("volumes")))
            if isinstance(v, dict)
        )

    @property
    def service_account(self) -> str:
        """The ServiceAccount the pods run as (``default`` when unset)."""
        spec = self.pod_spec
        name = as_str(spec.get("serviceAccountName")) or as_str(spec.get("serviceAccount"))
        return name or "default"

    @property
    def node_selector(self) -> dict[str, str]:
        return str_map(self.pod_spec.get("nodeSelector"))

    @property
    def affinity(self) -> dict[str, JSON]:
        return as_dict(self.pod_spec.get("affinity"))

    @property
    def tolerations(self) -> list[dict[str, JSON]]:
        return [t for t in as_list(self.pod_spec.get("tolerations")) if isinstance(t, dict)]

    @property
    def replicas(self) -> int | None:
        """Declared replicas (Kubernetes' default 1 when omitted); ``None`` for kinds without replicas."""
        if self.kind not in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
            return None
        value = self.resource.get("spec", "replicas")
        if value is None:
            return 1
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def selector(self) -> JSON:
        """The workload's own ``spec.selector`` (Pods have none)."""
        return self.resource.get("spec", "selector")

    @cached_property
    def claim_names(self) -> tuple[str, ...]:
        """PersistentVolumeClaims the pods mount (``volumeClaimTemplates`` excluded)."""
        names = []
        for _, vol in self.volumes:
            claim = as_str(as_dict(vol.get("persistentVolumeClaim")).get("claimName"))
            if claim:
                names.append(claim)
        return tuple(names)

    @cached_property
    def config_refs(self) -> tuple[tuple[str, str], ...]:
        """(kind, name) of every ConfigMap and Secret the pods read (volumes, env, envFrom)."""
        refs: set[tuple[str, str]] = set()
        for _, vol in self.volumes:
            _config_volume_refs(vol, refs)
        for c in self.containers:
            for env in as_list(c.data.get("env")):
                if isinstance(env, dict) and "valueFrom" in env:  # most variables are plain values
                    _named_refs(env["valueFrom"], _ENV_REFS, refs)
            for env_from in as_list(c.data.get("envFrom")):
                _named_refs(env_from, _ENV_FROM_REFS, refs)
        for secret in as_list(self.pod_spec.get("imagePullSecrets")):
            name = as_str(as_dict(secret).get("name"))
            if name:
                refs.add(("Secret", name))
        return tuple(sorted(refs))


_ENV_REFS = (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret"))
_ENV_FROM_REFS = (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))


def _named_refs(source: object, keys: tuple[tuple[str, str], ...], refs: set[tuple[str, str]]) -> None:
    """Add (kind, name) for each ``key: {name: ...}`` of ``source`` whose key ``keys`` maps to a kind."""
    if not isinstance(source, dict):
        return
    for key, kind in keys:
        ref = source.get(key)
        if isinstance(ref, dict):
            name = ref.get("name")
            if isinstance(name, str) and name:
                refs.add((kind, name))


def _config_volume_refs(vol: dict[str, Any], refs: set[tuple[str, str]]) -> None:
    cm = as_str(as_dict(vol.get("configMap")).get("name"))
    if cm:
        refs.add(("ConfigMap", cm))
    secret = as_str(as_dict(vol.get("secret")).get("secretName"))
    if secret:
        refs.add(("Secret", secret))
    for source in as_list(as_dict(vol.get("projected")).get("sources")):
        src = as_dict(source)
        cm = as_str(as_dict(src.get("configMap")).get("name"))
        if cm:
            refs.add(("ConfigMap", cm))
        secret = as_str(as_dict(src.get("secret")).get("name"))
        if secret:
            refs.add(("Secret", secret))


def resources_of(
    doc: Document,
    *,
    default_namespace: str = DEFAULT_NAMESPACE,
    cluster_scoped: frozenset[str] = CLUSTER_SCOPED_KINDS,
    context: bool = False,
) -> tuple[list[Resource], bool]:
    """The Kubernetes objects of one document (``kind: *List`` items expanded).

    Returns (resources, is_kubernetes): a document without ``apiVersion``/``kind`` strings is
    not a Kubernetes object and yields nothing.
    """
    data = doc.data
    if not isinstance(data, dict):
        return [], False
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        return [], False
    items = data.get("items")
    if kind.endswith("List") and isinstance(items, list):
        out = []
        for i, item in enumerate(items):
            res = _resource(doc, ("items", i), item, default_namespace, cluster_scoped, context)
            if res is not None:
                out.append(res)
        return out, True
    res = _resource(doc, (), data, default_namespace, cluster_scoped, context)
    return ([res] if res is not None else []), True


def _resource(
    doc: Document,
    base: Pointer,
    data: JSON,
    default_namespace: str,
    cluster_scoped: frozenset[str],
    context: bool,
) -> Resource | None:
    if not isinstance(data, dict):
        return None
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    meta = as_dict(data.get("metadata"))
    raw_name = meta.get("name")
    if isinstance(raw_name, str):
        name = raw_name
    elif raw_name is None:
        generate = meta.get("generateName")
        name = f"{generate}*" if isinstance(generate, str) else "<unnamed>"
    else:
        name = _scalar_text(raw_name)
    namespace: str | None
    if kind in cluster_scoped:
        namespace = None
    else:
        ns = meta.get("namespace")
        namespace = ns if isinstance(ns, str) and ns else default_namespace
    return Resource(
        doc=doc,
        base=base,
        data=data,
        api_version=api_version,
        kind=kind,
        name=name,
        namespace=namespace,
        labels=str_map(meta.get("labels")),
        annotations=str_map(meta.get("annotations")),
        context=context,
    )
