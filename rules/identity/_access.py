"""Who an RBAC binding grants what, and where cloud principals are mapped to Kubernetes names.

Shared by KP403 (cloud principals as RBAC subjects), KP404 (aws-auth and ACK AccessEntry mappings)
and KP405 (bindings to names that only those mappings fill):

- ``grant_of(binding)``: the role a binding grants and where, and whether it is full control
  (``cluster-admin``, or a Role/ClusterRole of the bundle with ``*`` verbs on ``*`` resources of
  ``*`` API groups);
- ``aws_auth(res, inventory)``: the entries of ``kube-system/aws-auth``. Its ``mapRoles``,
  ``mapUsers`` and ``mapAccounts`` values are YAML documents inside strings; they are parsed with
  kportable's own loader (alias and size limits included) and, when the value is a literal block
  (``mapRoles: |``), every entry keeps the line and column it has in the file;
- ``eks_mappings(inventory)``: per Kubernetes user or group name, the IAM principals that aws-auth
  entries and ACK AccessEntry objects of the bundle map to it (EKS only).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from kportable.findings import Location
from kportable.inventory import RBAC_GROUP, Inventory
from kportable.load import JSON, ParsedSource, parse_yaml
from kportable.model import Resource, as_dict, as_list, as_str, label
from kportable.positions import Pointer, line_column, opens_literal_block

CLUSTER_ADMIN = "cluster-admin"
AWS_AUTH = "aws-auth"
KUBE_SYSTEM = "kube-system"
ACK_EKS_GROUP = "eks.services.k8s.aws"
ADMIN_GROUP = "system:masters"  # bound to cluster-admin by default; RBAC cannot take it away
# Entries EKS writes itself for node roles (EC2, Fargate, hybrid nodes): exported, never authored.
NODE_GROUPS = frozenset({"system:bootstrappers", "system:nodes", "system:node-proxier"})
CLUSTER_ADMIN_POLICY = re.compile(r"^arn:aws(-[a-z]+)*:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy$")
MAP_KEYS = {"mapRoles": "rolearn", "mapUsers": "userarn", "mapAccounts": ""}


# --------------------------------------------------------------------------- what a binding grants


@dataclass(frozen=True, slots=True)
class Grant:
    """The role a binding grants: ``ClusterRole 'edit'`` ``in namespace 'shop'`` / ``on the whole cluster``."""

    role: str
    scope: str
    admin: bool

    def describe(self) -> str:
        full = " (full control)" if self.admin and CLUSTER_ADMIN not in self.role else ""
        return f"{self.role}{full} {self.scope}"


def grant_of(binding: Resource, inventory: Inventory) -> Grant:
    """What ``binding`` (a RoleBinding or ClusterRoleBinding) grants its subjects."""
    ref = as_dict(binding.data.get("roleRef"))
    kind, name = as_str(ref.get("kind")) or "role", as_str(ref.get("name")) or "?"
    cluster_wide = binding.kind == "ClusterRoleBinding"
    scope = "on the whole cluster" if cluster_wide else f"in namespace {binding.namespace or 'default'!r}"
    role = None
    if kind == "ClusterRole":
        role = inventory.get("ClusterRole", None, name)
    elif kind == "Role" and not cluster_wide:
        role = inventory.get("Role", binding.namespace, name)
    admin = (kind == "ClusterRole" and name == CLUSTER_ADMIN) or (role is not None and grants_everything(role))
    shown = f"{binding.namespace or 'default'}/{name}" if kind == "Role" else name
    return Grant(f"{kind} {shown!r}", scope, admin)


def grants_everything(role: Resource) -> bool:
    """A rule with ``*`` verbs on ``*`` resources in ``*`` API groups: the same as cluster-admin."""
    for raw in as_list(role.data.get("rules")):
        rule = as_dict(raw)
        if all("*" in as_list(rule.get(field_name)) for field_name in ("verbs", "resources", "apiGroups")):
            return True
    return False


def subjects(binding: Resource) -> Iterator[tuple[int, str, str]]:
    """``(index, kind, name)`` of every well-formed subject of a binding."""
    for i, raw in enumerate(as_list(binding.data.get("subjects"))):
        subject = as_dict(raw)
        kind, name = as_str(subject.get("kind")), as_str(subject.get("name"))
        if kind and name:
            yield i, kind, name


def bindings(inventory: Inventory) -> list[Resource]:
    """The bundle's RoleBindings and ClusterRoleBindings, in input order."""
    return [*inventory.of_kind("RoleBinding", RBAC_GROUP), *inventory.of_kind("ClusterRoleBinding", RBAC_GROUP)]


def bindings_of_group(inventory: Inventory, group: str) -> list[Resource]:
    """The bindings with ``group`` as a ``Group`` subject (an index built once per run)."""
    return inventory.memo("access.group_bindings", lambda: _group_index(inventory)).get(group, [])


def _group_index(inventory: Inventory) -> dict[str, list[Resource]]:
    index: dict[str, list[Resource]] = defaultdict(list)
    for binding in bindings(inventory):
        for name in dict.fromkeys(name for _, kind, name in subjects(binding) if kind == "Group"):
            index[name].append(binding)
    return dict(index)


# --------------------------------------------------------------------------- aws-auth


@dataclass(frozen=True, slots=True)
class AuthEntry:
    """One mapping of an IAM principal (role or user ARN, or an AWS account ID) to Kubernetes names."""

    key: str  # mapRoles, mapUsers or mapAccounts
    pointer: Pointer  # e.g. ("data", "mapRoles", 0, "rolearn"): a path into the parsed string
    location: Location
    principal: str
    username: str = ""
    groups: tuple[str, ...] = ()

    @property
    def admin(self) -> bool:
        return ADMIN_GROUP in self.groups

    @property
    def node_role(self) -> bool:
        """An entry EKS writes itself for a node or Fargate role (only node groups)."""
        return bool(self.groups) and set(self.groups) <= NODE_GROUPS


@dataclass(frozen=True, slots=True)
class AuthProblem:
    """A value of aws-auth that cannot be read: the authenticator cannot either."""

    key: str
    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class AwsAuth:
    resource: Resource
    entries: tuple[AuthEntry, ...] = ()
    problems: tuple[AuthProblem, ...] = ()


def is_aws_auth(res: Resource) -> bool:
    """``ConfigMap kube-system/aws-auth`` (a manifest without a namespace is applied with ``-n kube-system``)."""
    if res.kind != "ConfigMap" or res.name != AWS_AUTH or res.group:
        return False
    written = as_dict(res.data.get("metadata")).get("namespace")
    return written is None or written == KUBE_SYSTEM


def aws_auth(res: Resource, inventory: Inventory) -> AwsAuth:
    """The entries of an aws-auth ConfigMap (``is_aws_auth``), parsed once per run."""
    return inventory.memo(("access.aws_auth", id(res)), lambda: _read_aws_auth(res, inventory))


def _read_aws_auth(res: Resource, inventory: Inventory) -> AwsAuth:
    data = as_dict(res.data.get("data"))
    entries: list[AuthEntry] = []
    problems: list[AuthProblem] = []
    for key, principal_field in MAP_KEYS.items():
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        pointer: Pointer = ("data", key)
        key_location = res.locate(pointer)
        block = _literal_block(inventory.texts.get(res.doc.path), key_location)
        parsed = ParsedSource(res.doc.path)
        parse_yaml(res.doc.path, value, parsed)
        if parsed.problems or len(parsed.documents) != 1:
            first = parsed.problems[0] if parsed.problems else None
            where = _shifted(key_location, block, first.line, first.column) if first else key_location
            reason = first.message if first else "holds more than one YAML document"
            problems.append(AuthProblem(key, where, f"{key} is not a readable YAML list: {reason}"))
            continue
        doc = parsed.documents[0]
        items = doc.data
        if not isinstance(items, list):
            problems.append(AuthProblem(key, key_location, f"{key} must be a YAML list, not {_type_name(items)}"))
            continue
        for i, item in enumerate(items):
            entry = _entry(key, principal_field, i, item, doc.shadow, pointer, key_location, block)
            if entry is not None:
                entries.append(entry)
    return AwsAuth(res, tuple(entries), tuple(problems))


def _entry(key: str, principal_field: str, index: int, item: JSON, shadow: object, base: Pointer,
           key_location: Location, block: tuple[int, int] | None) -> AuthEntry | None:
    if not principal_field:  # mapAccounts: a list of account IDs (numbers when unquoted)
        account = str(item) if isinstance(item, (str, int)) and not isinstance(item, bool) else ""
        if not account:
            return None
        line, column, _ = line_column(shadow, (index,))  # type: ignore[arg-type]
        return AuthEntry(key, (*base, index), _shifted(key_location, block, line, column), account)
    mapping = as_dict(item)
    spelled = principal_field.replace("arn", "ARN")  # the authenticator's own spelling: roleARN, userARN
    principal = as_str(mapping.get(principal_field)) or as_str(mapping.get(spelled))
    if not principal:
        return None
    name = principal_field if principal_field in mapping else spelled
    line, column, _ = line_column(shadow, (index, name))  # type: ignore[arg-type]
    groups = tuple(g for g in (as_str(x) for x in as_list(mapping.get("groups"))) if g)
    return AuthEntry(key, (*base, index, name), _shifted(key_location, block, line, column), principal,
                     as_str(mapping.get("username")) or "", groups)


def _literal_block(text: str | None, key: Location) -> tuple[int, int] | None:
    """``(line before the content, indentation)`` when the key's value is a literal block scalar.

    A literal block keeps its lines as they are, so line *k* of the string is line ``key + k`` of
    the file, shifted right by the block's indentation. Any other style (quoted, folded, JSON)
    folds or escapes lines: entries then point at the key.
    """
    if text is None:
        return None
    lines = text.split("\n", key.line + 200)  # the block's first content line is near the key
    if key.line > len(lines):
        return None
    if not opens_literal_block(lines[key.line - 1], key.column):
        return None
    for row in lines[key.line:]:
        if row.strip():
            return key.line, len(row) - len(row.lstrip(" "))
    return None


def _shifted(key: Location, block: tuple[int, int] | None, line: int, column: int) -> Location:
    if block is None:
        return key
    start, indent = block
    return Location(key.path, start + line, indent + column, origin=key.origin)


def _type_name(value: JSON) -> str:
    if isinstance(value, dict):
        return "a mapping"
    return "a string" if isinstance(value, str) else type(value).__name__


# --------------------------------------------------------------------------- EKS name mappings


@dataclass(frozen=True, slots=True)
class MappedBy:
    """An IAM principal that an EKS mapping (aws-auth entry or AccessEntry) turns into a name."""

    principal: str
    source: str  # "ConfigMap 'kube-system/aws-auth' line 12" or "AccessEntry 'ops/admins'"


@dataclass
class EksMappings:
    users: Mapping[str, list[MappedBy]] = field(default_factory=dict)
    groups: Mapping[str, list[MappedBy]] = field(default_factory=dict)

    def feeding(self, kind: str, name: str) -> list[MappedBy]:
        """The principals an aws-auth/AccessEntry mapping of the bundle makes ``kind`` ``name``."""
        table = self.users if kind == "User" else self.groups if kind == "Group" else {}
        return list(table.get(name, ()))


def eks_mappings(inventory: Inventory) -> EksMappings:
    """Every user and group name aws-auth entries and ACK AccessEntry objects of the bundle produce."""
    return inventory.memo("access.eks_mappings", lambda: _collect(inventory))


def _collect(inventory: Inventory) -> EksMappings:
    users: dict[str, list[MappedBy]] = defaultdict(list)
    groups: dict[str, list[MappedBy]] = defaultdict(list)
    for res in inventory.of_kind("ConfigMap", ""):
        if not is_aws_auth(res):
            continue
        for entry in aws_auth(res, inventory).entries:
            by = MappedBy(entry.principal, f"{label(res)} line {entry.location.line}")
            if entry.username and "{{" not in entry.username:
                users[entry.username].append(by)
            for group in entry.groups:
                groups[group].append(by)
    for res in inventory.of_kind("AccessEntry", ACK_EKS_GROUP):
        spec = as_dict(res.data.get("spec"))
        principal = as_str(spec.get("principalARN"))
        if not principal:
            continue
        by = MappedBy(principal, label(res))
        username = as_str(spec.get("username"))
        if username and "{{" not in username:
            users[username].append(by)
        for name in (as_str(raw) for raw in as_list(spec.get("kubernetesGroups"))):
            if name:
                groups[name].append(by)
    return EksMappings(dict(users), dict(groups))
