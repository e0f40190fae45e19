"""Write the plan: ``base/`` (the user's files, edited round-trip) and ``overlays/<cloud>/``.

The base keeps each input file under its own name, multi-document files included: ruamel.yaml's
round-trip mode edits the documents in place, so comments and key order survive (a file port does
not change is copied byte for byte). Objects that move whole leave their document, or their item of
a ``kind: List`` (Lists are kept, not expanded). Documents that are not Kubernetes objects are
dropped from the base (kustomize would reject them), and the plan says so.

Each overlay has a ``kustomization.yaml`` (``resources: [../../base, ...]``, ``images:`` for
registries, JSON 6902 ``patches`` per object), ``resources/`` for the objects it restores or adds,
and a ``TODO.md``.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from ..model import Resource, as_dict
from .patches import diff
from .plan import Plan, PlanFile, TargetPlan
from .todo import render_todo
from .transform import apply_edits

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"


def check_output(out: str, force: bool) -> None:
    """Refuse a non-empty ``out`` unless ``force`` (then port replaces only ``base/`` and ``overlays/``)."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise UserError(f"--out {out}: directory is not empty (use --force to replace its base/ and overlays/)")


def write_plan(plan: Plan, out: str) -> list[str]:
    """Write every file of the plan under ``out``; returns the written paths (relative to ``out``)."""
    root = Path(out)
    for sub in ("base", "overlays"):
        if (root / sub).exists():
            shutil.rmtree(root / sub)
    written: list[str] = []
    base_files = _write_base(plan, root / "base", written)
    _write(root / "base" / "kustomization.yaml", _dump({"apiVersion": KUSTOMIZE_API, "kind": "Kustomization",
                                                       "resources": base_files}), written, root)
    for cloud in plan.targets:
        _write_overlay(plan, plan.overlays[cloud], root / "overlays" / cloud, written, root)
    return written


# --------------------------------------------------------------------------- base


def _write_base(plan: Plan, base: Path, written: list[str]) -> list[str]:
    names = []
    for plan_file in plan.files:
        if plan_file.skipped:
            continue
        text = Path(plan_file.path).read_text(encoding="utf-8")
        changed = any(o.items for o in plan_file.objects) or _has_foreign_documents(plan_file, text)
        content = _edited(plan, plan_file, text) if changed else text
        if content is None:
            continue
        _write(base / plan_file.rel, content, written, base.parent)
        names.append(plan_file.rel)
    return names


def _has_foreign_documents(plan_file: PlanFile, text: str) -> bool:
    kube_docs = {o.resource.doc.index for o in plan_file.objects}
    return len(kube_docs) != _count_documents(text)


def _count_documents(text: str) -> int:
    loader = _yaml()
    return sum(1 for doc in loader.load_all(text) if doc is not None)


def _yaml() -> Any:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    return rt


def _edited(plan: Plan, plan_file: PlanFile, text: str) -> str | None:
    """The file with base edits applied, moved objects and non-Kubernetes documents left out;
    ``None`` when nothing is left."""
    rt = _yaml()
    mapping, sequence, offset = indentation(text)
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    rt.explicit_start = text.lstrip().startswith("---")
    if plan_file.path.endswith(".json"):
        return _edited_json(plan, plan_file, text)
    docs = list(rt.load_all(text))
    keep = _apply(plan, plan_file, docs)
    kept = [doc for i, doc in enumerate(docs) if i in keep]
    if not kept:
        return None
    if 0 not in keep:
        _keep_file_header(docs[0], kept[0])
    buffer = io.StringIO()
    rt.dump_all(kept, buffer)
    return _comments_before_start(text) + buffer.getvalue()


def _comments_before_start(text: str) -> str:
    """Comment lines above a leading ``---``: ruamel.yaml drops them on load, so they are put back."""
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("---"):
            return "".join(lines)
        if stripped and not stripped.startswith("#"):
            return ""
        lines.append(line)
    return ""


def _keep_file_header(dropped: Any, first: Any) -> None:
    """The comments above a file's first document (a licence header) belong to the file: when that
    document moves to an overlay, they stay in the base, above the new first document."""
    header = getattr(dropped, "ca", None)
    target = getattr(first, "ca", None)
    if header is None or target is None or not header.comment or not header.comment[1]:
        return
    if target.comment is None:
        target.comment = [None, []]
    target.comment[1] = [*header.comment[1], *(target.comment[1] or [])]


def _apply(plan: Plan, plan_file: PlanFile, docs: list[Any]) -> set[int]:
    """Edit ``docs`` in place; returns the indexes of the documents that stay in the base."""
    keep: set[int] = set()
    moved_items: dict[int, list[int]] = {}
    for obj in plan_file.objects:
        res = obj.resource
        index = res.doc.index
        if index >= len(docs) or not isinstance(docs[index], dict):
            raise UserError(f"{res.path}: document {index + 1} could not be read back for editing")
        if obj.moved:
            if res.base:
                moved_items.setdefault(index, []).append(int(res.base[1]))
                keep.add(index)
            continue
        keep.add(index)
        target = _at(docs[index], res.base)
        apply_edits(target, plan.base_edits.get(res, []))
    for index, positions in moved_items.items():
        items = docs[index].get("items")
        for position in sorted(positions, reverse=True):
            del items[position]
    return keep


def _at(doc: Any, pointer: Sequence[str | int]) -> Any:
    node = doc
    for part in pointer:
        node = node[part]
    return node


def _edited_json(plan: Plan, plan_file: PlanFile, text: str) -> str | None:
    data = json.loads(text)
    docs = [data]
    keep = _apply(plan, plan_file, docs)
    return json.dumps(docs[0], indent=2) + "\n" if keep else None


def indentation(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) indents of a YAML text, for ruamel to write it back alike: block
    sequences either at their parent key's column (``offset`` 0) or indented under it."""
    lines = text.splitlines()
    for above, line in itertools.pairwise(lines):
        stripped = above.rstrip()
        if not stripped.endswith(":") or stripped.lstrip().startswith(("#", "-")):
            continue
        dash = line.lstrip(" ")
        if not dash.startswith("- "):
            continue
        key_col = len(above) - len(above.lstrip(" "))
        dash_col = len(line) - len(dash)
        offset = max(dash_col - key_col, 0)
        return 2, offset + 2, offset
    return 2, 2, 0


# --------------------------------------------------------------------------- overlays


def _write_overlay(plan: Plan, target: TargetPlan, folder: Path, written: list[str], root: Path) -> None:
    resources: list[str] = ["../../base"]
    restored_by_file: dict[str, list[Resource]] = {}
    for res in target.restored_objects:
        restored_by_file.setdefault(_rel_of(plan, res.path), []).append(res)
    for rel, objects in restored_by_file.items():
        name = f"resources/{rel}"
        _write(folder / name, _restored_text(objects), written, root)
        resources.append(name)
    for concept, added in sorted(target.objects.items()):
        name = f"resources/{concept}.yaml"
        _write(folder / name, "".join(("---\n" if i else "") + _dump(o) for i, o in enumerate(added)),
               written, root)
        resources.append(name)
    kustomization: dict[str, Any] = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": resources}
    if target.images:
        kustomization["images"] = [{"name": k, "newName": v} for k, v in sorted(target.images.items())]
    patches = overlay_patches(plan, target)
    if patches:
        kustomization["patches"] = patches
    header = (f"# {plan.cloud_names.get(target.cloud, target.cloud)} overlay written by `kportable port --from "
              f"{plan.source}`.\n# {'It rebuilds the original bundle.' if target.source else 'See TODO.md.'}\n")
    _write(folder / "kustomization.yaml", header + _dump(kustomization), written, root)
    _write(folder / "TODO.md", render_todo(plan, target), written, root)


def overlay_patches(plan: Plan, target: TargetPlan) -> list[dict[str, Any]]:
    """One JSON 6902 patch per base object whose overlay version differs from the base."""
    out = []
    for obj in plan.objects:
        res = obj.resource
        if obj.moved:
            continue
        items = obj.items
        edits = plan.base_edits.get(res, [])
        if not items and res not in target.writes:
            continue
        base = _base_data(res, edits)
        wanted = target.desired(res, items, edits)
        ops = diff(base, wanted)
        if ops:
            out.append({"target": patch_target(res), "patch": _dump(ops).rstrip("\n")})
    return out


def _base_data(res: Resource, edits: Sequence[Any]) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(res.data)
    apply_edits(data, edits)
    return data


def patch_target(res: Resource) -> dict[str, str]:
    """The kustomize patch selector of one object: group, version, kind, name, namespace when set."""
    group, _, version = res.api_version.rpartition("/")
    target: dict[str, str] = {}
    if group:
        target["group"] = group
    target["version"] = version
    target["kind"] = res.kind
    target["name"] = res.name
    namespace = as_dict(res.data.get("metadata")).get("namespace")
    if isinstance(namespace, str) and namespace:
        target["namespace"] = namespace
    return target


def _rel_of(plan: Plan, path: str) -> str:
    return next((f.rel for f in plan.files if f.path == path), os.path.basename(path))


def _restored_text(objects: Sequence[Resource]) -> str:
    """The moved objects as they were, comments included (their documents, or List items as documents)."""
    path = objects[0].path
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        return "".join(("---\n" if i else "") + _dump(r.data) for i, r in enumerate(objects))
    rt = _yaml()
    mapping, sequence, offset = indentation(text)
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    docs = list(rt.load_all(text))
    chosen = [_at(docs[r.doc.index], r.base) for r in objects]
    buffer = io.StringIO()
    rt.dump_all(chosen, buffer)
    return buffer.getvalue()


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)


def _write(path: Path, content: str, written: list[str], root: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")
    written.append(path.relative_to(root).as_posix())
