"""Kubernetes versions as data: removed API versions, removed in-tree volume plugins, version windows.

Plain typed constants, no parsing at import. The removal tables come from
``../shared/cloudfacts.yaml`` (``versions.api_removals``, ``versions.intree_volume_removals``),
checked against the upstream Deprecated API Migration Guide
(https://kubernetes.io/docs/reference/using-api/deprecation-guide/) and the volume docs
(https://kubernetes.io/docs/concepts/storage/volumes/); entries that are not in cloudfacts say
where they come from.

The storage rules import ``intree_volume_removal(volume_type)`` and
``intree_provisioner_removal(provisioner)`` from here, so there is one table of removed plugins.

Cloud profiles carry their version windows as ``kubernetes_versions: {supported: [...],
extended: [...]}`` (minor versions as strings, oldest first); ``profile_window`` reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .clouds import CloudProfile


class KubeVersion(NamedTuple):
    """A Kubernetes minor version (``1.35``); compares numerically, unlike strings (``1.9 < 1.10``)."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


_VERSION_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]*)?\s*$")


def parse_version(text: str) -> KubeVersion:
    """``1.35``, ``v1.35`` or ``1.35.2`` -> ``KubeVersion(1, 35)``; raises ``ValueError`` otherwise."""
    match = _VERSION_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a Kubernetes version (expected MAJOR.MINOR, e.g. 1.35)")
    return KubeVersion(int(match.group(1)), int(match.group(2)))


_v = parse_version


_API_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
_STABILITY = {None: 2, "beta": 1, "alpha": 0}


def version_priority(version: str) -> tuple[int, int, int]:
    """Sort key of an API version (``v1``, ``v2beta1``) as Kubernetes orders them, best first when negated.

    GA before beta before alpha, then the higher major, then the higher alpha/beta number;
    an unparseable version sorts last.
    """
    match = _API_VERSION_RE.match(version)
    if match is None:
        return (-1, 0, 0)
    return (_STABILITY[match.group(2)], int(match.group(1)), int(match.group(3) or 0))


# The oldest minor all three managed clouds still support in standard support in late 2026
# (cloudfacts.yaml versions.summary_late_2026.portable_floor). The default --k8s-version when no
# cloud profile declares `kubernetes_versions`.
PORTABLE_FLOOR = KubeVersion(1, 35)


# --------------------------------------------------------------------------- removed API versions


@dataclass(frozen=True, slots=True)
class ApiRemoval:
    """An ``apiVersion`` of some kinds that Kubernetes stopped serving in ``removed_in``.

    ``replacement`` is the apiVersion to use instead, ``""`` when the API has no successor
    (PodSecurityPolicy); ``note`` says what changed in the replacement, or what to do instead.
    """

    api_version: str
    kinds: tuple[str, ...]
    removed_in: KubeVersion
    replacement: str
    note: str = ""


def _r(removed_in: str, api_version: str, kinds: tuple[str, ...], replacement: str, note: str = "") -> ApiRemoval:
    return ApiRemoval(api_version, kinds, _v(removed_in), replacement, note)


_NO_PSP = ("PodSecurityPolicy has no successor API: enforce pod security with Pod Security Admission (namespace "
           "labels pod-security.kubernetes.io/*) or a policy engine")
_APPS_NOTE = "spec.selector is required and must match the template labels"
_INGRESS_NOTE = ("spec.backend became spec.defaultBackend, serviceName/servicePort became service.name and "
                 "service.port.number/name, and pathType is required")

API_REMOVALS: tuple[ApiRemoval, ...] = (
    _r("1.16", "extensions/v1beta1", ("NetworkPolicy",), "networking.k8s.io/v1"),
    _r("1.16", "extensions/v1beta1", ("DaemonSet", "Deployment", "ReplicaSet"), "apps/v1", _APPS_NOTE),
    _r("1.16", "apps/v1beta1", ("Deployment", "StatefulSet", "ReplicaSet"), "apps/v1", _APPS_NOTE),
    _r("1.16", "apps/v1beta2", ("DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"), "apps/v1", _APPS_NOTE),
    # Not in the migration guide's table but in the 1.16 announcement
    # (https://kubernetes.io/blog/2019/07/18/api-deprecations-in-1-16/).
    _r("1.16", "extensions/v1beta1", ("PodSecurityPolicy",), "", _NO_PSP),
    _r("1.22", "admissionregistration.k8s.io/v1beta1",
       ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "admissionregistration.k8s.io/v1",
       "webhooks[].sideEffects and webhooks[].admissionReviewVersions are required"),
    _r("1.22", "apiextensions.k8s.io/v1beta1", ("CustomResourceDefinition",), "apiextensions.k8s.io/v1",
       "spec.versions[].schema.openAPIV3Schema is required and must be structural; spec.scope is required"),
    _r("1.22", "apiregistration.k8s.io/v1beta1", ("APIService",), "apiregistration.k8s.io/v1"),
    _r("1.22", "authentication.k8s.io/v1beta1", ("TokenReview",), "authentication.k8s.io/v1"),
    _r("1.22", "authorization.k8s.io/v1beta1",
       ("LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"), "authorization.k8s.io/v1",
       "spec.group was renamed spec.groups"),
    _r("1.22", "certificates.k8s.io/v1beta1", ("CertificateSigningRequest",), "certificates.k8s.io/v1",
       "spec.signerName and spec.usages are required"),
    _r("1.22", "coordination.k8s.io/v1beta1", ("Lease",), "coordination.k8s.io/v1"),
    _r("1.22", "extensions/v1beta1", ("Ingress",), "networking.k8s.io/v1", _INGRESS_NOTE),
    _r("1.22", "networking.k8s.io/v1beta1", ("Ingress",), "networking.k8s.io/v1", _INGRESS_NOTE),
    _r("1.22", "networking.k8s.io/v1beta1", ("IngressClass",), "networking.k8s.io/v1"),
    _r("1.22", "rbac.authorization.k8s.io/v1beta1", ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
       "rbac.authorization.k8s.io/v1"),
    _r("1.22", "scheduling.k8s.io/v1beta1", ("PriorityClass",), "scheduling.k8s.io/v1"),
    _r("1.22", "storage.k8s.io/v1beta1", ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
       "storage.k8s.io/v1"),
    _r("1.25", "batch/v1beta1", ("CronJob",), "batch/v1"),
    _r("1.25", "discovery.k8s.io/v1beta1", ("EndpointSlice",), "discovery.k8s.io/v1",
       "use the per-endpoint nodeName and zone fields instead of topology"),
    _r("1.25", "events.k8s.io/v1beta1", ("Event",), "events.k8s.io/v1"),
    _r("1.25", "autoscaling/v2beta1", ("HorizontalPodAutoscaler",), "autoscaling/v2",
       "targetAverageUtilization became target.averageUtilization"),
    _r("1.25", "policy/v1beta1", ("PodDisruptionBudget",), "policy/v1",
       "an empty spec.selector selects every pod of the namespace in policy/v1"),
    _r("1.25", "policy/v1beta1", ("PodSecurityPolicy",), "", _NO_PSP),
    _r("1.25", "node.k8s.io/v1beta1", ("RuntimeClass",), "node.k8s.io/v1"),
    _r("1.26", "flowcontrol.apiserver.k8s.io/v1beta1", ("FlowSchema", "PriorityLevelConfiguration"),
       "flowcontrol.apiserver.k8s.io/v1"),
    _r("1.26", "autoscaling/v2beta2", ("HorizontalPodAutoscaler",), "autoscaling/v2"),
    _r("1.27", "storage.k8s.io/v1beta1", ("CSIStorageCapacity",), "storage.k8s.io/v1"),
    _r("1.29", "flowcontrol.apiserver.k8s.io/v1beta2", ("FlowSchema", "PriorityLevelConfiguration"),
       "flowcontrol.apiserver.k8s.io/v1", "assuredConcurrencyShares became nominalConcurrencyShares"),
    _r("1.32", "flowcontrol.apiserver.k8s.io/v1beta3", ("FlowSchema", "PriorityLevelConfiguration"),
       "flowcontrol.apiserver.k8s.io/v1"),
)

_REMOVALS_BY_KEY: dict[tuple[str, str], ApiRemoval] = {
    (r.api_version, kind): r for r in API_REMOVALS for kind in r.kinds
}


def api_removal(api_version: str, kind: str) -> ApiRemoval | None:
    """The removal of ``kind`` in ``api_version``, or ``None`` if that pair was never removed."""
    return _REMOVALS_BY_KEY.get((api_version, kind))


@dataclass(frozen=True, slots=True)
class ApiDeprecation:
    """An ``apiVersion`` of a kind that is deprecated (the API server warns) with no removal scheduled."""

    api_version: str
    kind: str
    deprecated_in: KubeVersion
    replacement: str
    note: str = ""
    fix: str = ""


API_DEPRECATIONS: tuple[ApiDeprecation, ...] = (
    # KEP-4974, https://kubernetes.io/blog/2025/04/24/endpoints-deprecation/: the API server warns
    # "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"; conformance will
    # stop requiring the Endpoints controller.
    ApiDeprecation("v1", "Endpoints", _v("1.33"), "discovery.k8s.io/v1 EndpointSlice",
                   "conformant clusters need not run the Endpoints controller",
                   "Write an EndpointSlice (discovery.k8s.io/v1) labelled kubernetes.io/service-name: <service> "
                   "instead; proxies and Gateway implementations read EndpointSlices."),
)

_DEPRECATIONS_BY_KEY = {(d.api_version, d.kind): d for d in API_DEPRECATIONS}


def api_deprecation(api_version: str, kind: str) -> ApiDeprecation | None:
    """The open-ended deprecation of ``kind`` in ``api_version`` (no removal version), if any."""
    return _DEPRECATIONS_BY_KEY.get((api_version, kind))


# Every API group the Kubernetes API server itself serves (any version 1.16 to 1.37), as opposed to
# groups of CRDs and aggregated APIs. `tests/test_k8s_versions.py` checks it against the bundled
# schemas. Sig projects that ship as CRDs (gateway.networking.k8s.io, snapshot.storage.k8s.io,
# *.x-k8s.io) are deliberately absent.
# admission.k8s.io and imagepolicy.k8s.io hold webhook payloads (AdmissionReview, ImageReview) that
# the API server defines but never serves as objects.
BUILTIN_GROUPS: frozenset[str] = frozenset((
    "", "admission.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "extensions", "flowcontrol.apiserver.k8s.io",
    "imagepolicy.k8s.io", "internal.apiserver.k8s.io", "lifecycle.k8s.io", "networking.k8s.io", "node.k8s.io",
    "policy", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
    "storagemigration.k8s.io",
))


# --------------------------------------------------------------------------- in-tree volume plugins


@dataclass(frozen=True, slots=True)
class IntreeVolumeRemoval:
    """A pod volume type (and in-tree provisioner) whose kubelet plugin Kubernetes removed.

    ``removed_in``: the first minor without the plugin. ``disabled_in``: the first minor where it
    is off by default (only a feature gate, which managed clouds do not expose, turns it back on).
    ``csi_driver``: when set, CSI migration redirects the in-tree type to that driver, so the
    volume works only where the driver is installed (its cloud); otherwise nothing serves it.
    ``cloud``: the cloud-profile id the plugin belongs to, ``""`` for none.
    """

    volume_type: str
    removed_in: KubeVersion
    replacement: str
    provisioner: str = ""
    csi_driver: str = ""
    cloud: str = ""
    deprecated_in: KubeVersion | None = None
    disabled_in: KubeVersion | None = None

    @property
    def unusable_in(self) -> KubeVersion:
        """The first minor in which a managed cluster cannot use the plugin."""
        return self.disabled_in or self.removed_in

    @property
    def migrated(self) -> bool:
        return bool(self.csi_driver)


INTREE_VOLUME_REMOVALS: tuple[IntreeVolumeRemoval, ...] = (
    IntreeVolumeRemoval("awsElasticBlockStore", _v("1.27"), "a PersistentVolumeClaim of a StorageClass for "
                        "the EBS CSI driver (ebs.csi.aws.com)", "kubernetes.io/aws-ebs", "ebs.csi.aws.com", "eks",
                        _v("1.19")),
    IntreeVolumeRemoval("azureDisk", _v("1.27"), "a PersistentVolumeClaim of a StorageClass for the Azure Disk "
                        "CSI driver (disk.csi.azure.com)", "kubernetes.io/azure-disk", "disk.csi.azure.com", "aks",
                        _v("1.19")),
    IntreeVolumeRemoval("gcePersistentDisk", _v("1.28"), "a PersistentVolumeClaim of a StorageClass for the "
                        "GCE PD CSI driver (pd.csi.storage.gke.io)", "kubernetes.io/gce-pd",
                        "pd.csi.storage.gke.io", "gke", _v("1.17")),
    IntreeVolumeRemoval("azureFile", _v("1.30"), "a PersistentVolumeClaim of a StorageClass for the Azure File "
                        "CSI driver (file.csi.azure.com)", "kubernetes.io/azure-file", "file.csi.azure.com", "aks",
                        _v("1.21")),
    IntreeVolumeRemoval("cinder", _v("1.26"), "a PersistentVolumeClaim of a StorageClass for the Cinder CSI "
                        "driver (cinder.csi.openstack.org)", "kubernetes.io/cinder", "cinder.csi.openstack.org"),
    IntreeVolumeRemoval("cephfs", _v("1.31"), "the CephFS CSI driver (cephfs.csi.ceph.com) through a "
                        "PersistentVolumeClaim", deprecated_in=_v("1.28")),
    IntreeVolumeRemoval("rbd", _v("1.31"), "the Ceph RBD CSI driver (rbd.csi.ceph.com) through a "
                        "PersistentVolumeClaim", "kubernetes.io/rbd", deprecated_in=_v("1.28")),
    # KEP-5040: off by default in 1.33 (feature gate GitRepoVolumeDriver), locked off from 1.36.
    IntreeVolumeRemoval("gitRepo", _v("1.36"), "an emptyDir volume filled by an init container that runs "
                        "`git clone`", deprecated_in=_v("1.11"), disabled_in=_v("1.33")),
    # kubernetes/kubernetes#115035 ("Update warnings for removed in-tree plugins"): StorageOS,
    # Quobyte and Flocker were removed in 1.25, GlusterFS in 1.26.
    IntreeVolumeRemoval("glusterfs", _v("1.26"), "a GlusterFS CSI driver or another storage backend through a "
                        "PersistentVolumeClaim", "kubernetes.io/glusterfs"),
    IntreeVolumeRemoval("storageos", _v("1.25"), "the StorageOS CSI driver through a PersistentVolumeClaim",
                        "kubernetes.io/storageos"),
    IntreeVolumeRemoval("quobyte", _v("1.25"), "the Quobyte CSI driver through a PersistentVolumeClaim",
                        "kubernetes.io/quobyte"),
    IntreeVolumeRemoval("flocker", _v("1.25"), "a CSI driver through a PersistentVolumeClaim"),
)

_VOLUMES_BY_TYPE = {r.volume_type: r for r in INTREE_VOLUME_REMOVALS}
_VOLUMES_BY_PROVISIONER = {r.provisioner: r for r in INTREE_VOLUME_REMOVALS if r.provisioner}


def intree_volume_removal(volume_type: str) -> IntreeVolumeRemoval | None:
    """The removal of the in-tree plugin behind a pod/PV volume type (``cephfs``, ``gitRepo``), if any."""
    return _VOLUMES_BY_TYPE.get(volume_type)


def intree_provisioner_removal(provisioner: str) -> IntreeVolumeRemoval | None:
    """The removal behind an in-tree StorageClass provisioner (``kubernetes.io/aws-ebs``), if any."""
    return _VOLUMES_BY_PROVISIONER.get(provisioner)


# --------------------------------------------------------------------------- cloud version windows


@dataclass(frozen=True, slots=True)
class VersionWindow:
    """The Kubernetes minors a cloud supports: standard support plus extended (paid/LTS) support."""

    cloud: str
    supported: tuple[KubeVersion, ...]
    extended: tuple[KubeVersion, ...] = ()

    @property
    def all(self) -> tuple[KubeVersion, ...]:
        return tuple(sorted({*self.supported, *self.extended}))

    def rejecting(self, removed_in: KubeVersion) -> tuple[KubeVersion, ...]:
        """The supported or extended minors at or after ``removed_in``: the ones that reject a removed API."""
        return tuple(v for v in self.all if v >= removed_in)


def _versions(value: object) -> tuple[KubeVersion, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        try:
            out.append(parse_version(str(item)))
        except ValueError:
            continue
    return tuple(sorted(set(out)))


def profile_window(profile: CloudProfile) -> VersionWindow | None:
    """The version window a profile declares (``kubernetes_versions``), or ``None`` when it declares none."""
    data = profile.data.get("kubernetes_versions")
    if not isinstance(data, Mapping):
        return None
    supported = _versions(data.get("supported"))
    extended = _versions(data.get("extended"))
    if not supported and not extended:
        return None
    return VersionWindow(profile.id, supported, extended)


def target_windows(clouds: Mapping[str, CloudProfile], targets: Iterable[str]) -> tuple[VersionWindow, ...]:
    """Version windows of the target clouds that declare one, in target order."""
    out = []
    for cloud_id in targets:
        profile = clouds.get(cloud_id)
        window = profile_window(profile) if profile is not None else None
        if window is not None:
            out.append(window)
    return tuple(out)


def default_version(windows: Sequence[VersionWindow]) -> KubeVersion:
    """The oldest minor still in standard support on any target cloud (``PORTABLE_FLOOR`` without data).

    Extended support is left out: it is opt-in or paid on every cloud, and a default that old
    would validate against schemas most clusters no longer run.
    """
    oldest = [min(w.supported) for w in windows if w.supported]
    return min(oldest) if oldest else PORTABLE_FLOOR


def describe_rejections(windows: Sequence[VersionWindow], removed_in: KubeVersion) -> str:
    """``"every supported version of aks, gke and by eks from 1.32"`` (to follow "rejected by").

    Empty when no window reaches ``removed_in``.
    """
    everywhere = [w.cloud for w in windows if w.all and w.all[0] >= removed_in]
    partly = [w.cloud for w in windows if w.all and w.all[0] < removed_in <= w.all[-1]]
    parts = []
    if everywhere:
        parts.append(f"every supported version of {', '.join(sorted(everywhere))}")
    if partly:
        parts.append(f"{', '.join(sorted(partly))} from {removed_in}")
    return " and by ".join(parts)
