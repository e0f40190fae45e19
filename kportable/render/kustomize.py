"""Kustomize: build what a kustomization deploys, with the file each object came from.

A directory holding ``kustomization.yaml`` (``.yml``, ``Kustomization``), named on the command
line or found while walking, is built rather than read file by file:

- **which**: every directory named on the command line (or whose kustomization file is named);
  while walking, every kustomization that no other walked kustomization uses (as a resource or
  base) is a root and is built; the ones it uses are built through it. A ``kind: Component`` is
  only built by the overlays that list it under ``components:``. Files under a kustomization
  directory, and every file a build reports as an origin, leave the plain walk.
- **how**: ``kustomize build`` or ``kubectl kustomize`` (``kustomize`` first when both are on
  PATH, ``--kustomize-bin`` to choose), run on a temporary overlay outside the user's tree that
  lists the user's directory as its only resource and sets ``buildMetadata: [originAnnotations]``.
  Each object then carries ``config.kubernetes.io/origin`` (``path``, or ``configuredIn`` for
  generated objects, ``repo``/``ref`` for remote ones); it is read into ``Document.origin`` and
  stripped before any rule sees the object.
- **offline**: kportable never uses the network. A remote base (``github.com/...``, ``https://``)
  is found before building and reported (KP031) without running the build; the build itself runs
  with git limited to local transports and HTTP(S) sent to a dead proxy, so nothing slips out.
- **failures**: a failed build is a KP031 finding on the kustomization file with the tool's message.

With ``--no-build`` the files are read as they are, and kustomization files are skipped (and
counted): a Kustomization is configuration for kustomize, not a Kubernetes object.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import UserError
from ..load import JSON, Document, LoadProblem, ParsedSource, parse_bytes, parse_text
from ..model import as_dict, as_list, as_str
from ..positions import locate
from ..sources import STDIN, display_path, walk_directories
from .helm import relative

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"
CONFIG_KINDS = frozenset(("Kustomization", "Component"))
BUILD_ERROR = "KP031"
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
BUILD_TIMEOUT = 120.0
REFERENCE_FIELDS = ("resources", "bases", "components")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|git::|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?::\d+)?/)", re.I)
_KLOG = re.compile(r"^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] ", re.M)
# "lstat overlays/dev/.env: no such file or directory": what a failed build was missing.
_MISSING = re.compile(r"lstat (.+?): no such file or directory")
_DEAD_PROXY = "http://127.0.0.1:9"


def display_name(directory: str) -> str:
    """The name findings use for a build's output: not a file, like ``<stdin>``."""
    return f"<kustomize build {directory}>"


# --------------------------------------------------------------------------- kustomization files


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def is_kustomization(path: str, data: JSON) -> bool:
    """A kustomization document: in a file named like one, or ``kind: Kustomization|Component`` of kustomize's group."""
    if os.path.basename(path) in KUSTOMIZATION_FILES:
        return True
    if not isinstance(data, dict):
        return False
    api, kind = data.get("apiVersion"), data.get("kind")
    return isinstance(kind, str) and kind in CONFIG_KINDS and isinstance(api, str) and api.startswith(KUSTOMIZE_GROUP)


@dataclass
class Kustomization:
    """One kustomization file: where it is, its data, and the positions of its keys."""

    directory: Path
    file: Path
    display: str
    text: str
    doc: Document | None

    @property
    def data(self) -> dict[str, JSON]:
        return as_dict(self.doc.data) if self.doc is not None else {}

    @property
    def kind(self) -> str:
        return as_str(self.data.get("kind")) or "Kustomization"

    @property
    def real(self) -> str:
        return os.path.realpath(self.directory)

    @property
    def display_dir(self) -> str:
        return display_path(str(self.directory))

    def line_of(self, *pointer: str | int) -> int:
        """The line of ``pointer`` in the kustomization file (its deepest existing ancestor; 1 when unparsed)."""
        if self.doc is None:
            return 1
        return locate(self.doc.shadow, pointer).line

    def references(self) -> Iterator[tuple[str, int, str]]:
        """(field, index, entry) of every resource, base and component it lists."""
        for name in REFERENCE_FIELDS:
            for i, entry in enumerate(as_list(self.data.get(name))):
                if isinstance(entry, str):
                    yield name, i, entry

    def local_kustomizations(self) -> list[Path]:
        """Directories with a kustomization file that this one lists (as paths from the user's, normalised)."""
        out = []
        for _, _, entry in self.references():
            target = Path(os.path.normpath(self.directory / entry))
            if target.is_dir() and kustomization_file(target) is not None:
                out.append(target)
        return out


def read_kustomization(directory: Path) -> Kustomization | None:
    """The kustomization of ``directory`` (``None`` when it has none). Unreadable or broken files still count."""
    file = kustomization_file(directory)
    if file is None:
        return None
    try:
        raw = file.read_bytes()
    except OSError:
        raw = b""
    parsed = parse_bytes(display_path(str(file)), raw)
    doc = parsed.documents[0] if parsed.documents else None
    return Kustomization(directory, file, display_path(str(file)), parsed.text or "", doc)


def is_remote(entry: str, base: Path | None) -> bool:
    """An entry kustomize would fetch over the network (a local path of that name wins, as in kustomize)."""
    if base is not None and (base / entry).exists():
        return False
    return bool(_REMOTE.match(entry))


def remote_problems(path: str, doc: Document, base: Path | None) -> list[LoadProblem]:
    """KP031 problems for the remote bases a kustomization document lists."""
    data = as_dict(doc.data)
    out = []
    for name in REFERENCE_FIELDS:
        for i, entry in enumerate(as_list(data.get(name))):
            if isinstance(entry, str) and is_remote(entry, base):
                pos = locate(doc.shadow, (name, i))
                out.append(LoadProblem(
                    BUILD_ERROR, pos.line, pos.column,
                    f"{name} entry {entry!r} is remote: kportable never fetches over the network, so the objects "
                    f"it brings were not linted; build where the network is allowed and pipe the output: "
                    f"kubectl kustomize {display_path(os.path.dirname(path) or '.')} | kportable lint -",
                    doc.index,
                ))
    return out


def chain(root: Kustomization) -> list[Kustomization]:
    """``root`` and every local kustomization it uses, directly or not, each once (root first)."""
    seen = {root.real}
    out = [root]
    queue = [root]
    while queue:
        current = queue.pop(0)
        for target in current.local_kustomizations():
            real = os.path.realpath(target)
            if real in seen:
                continue
            seen.add(real)
            k = read_kustomization(target)
            if k is not None:
                out.append(k)
                queue.append(k)
    return out


# --------------------------------------------------------------------------- planning


def _walk(root: Path, shown: str, exclude: Sequence[str]) -> Iterator[Path]:
    """Directories under ``root`` (itself included) that hold a kustomization file; the file walk's rules."""
    for directory, files in walk_directories(root, shown, exclude):
        if any(name in KUSTOMIZATION_FILES for name, _ in files):
            yield Path(directory)


@dataclass
class Plan:
    """What to build, and which directories' files leave the plain walk."""

    roots: list[Kustomization] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)

    def covers(self, display: str) -> bool:
        """True when a file (display path) lies under a kustomization directory."""
        path = os.path.abspath(display)
        return any(path.startswith(os.path.join(os.path.abspath(d), "")) for d in self.covered)


def plan(paths: Sequence[str], exclude: Sequence[str] = ()) -> Plan:
    """Find the kustomizations the command line names or contains (see the module docstring)."""
    named: list[Kustomization] = []
    found: list[Kustomization] = []
    for raw in paths:
        if raw == STDIN:
            continue
        p = Path(raw)
        if p.is_file() and p.name in KUSTOMIZATION_FILES:
            k = read_kustomization(p.parent)
            if k is not None:
                named.append(k)
        elif p.is_dir():
            own = read_kustomization(p)
            if own is not None:
                named.append(own)
                continue
            for directory in _walk(p, display_path(raw), exclude):
                k = read_kustomization(directory)
                if k is not None:
                    found.append(k)
    used: set[str] = set()
    for k in found:
        if k.kind != "Component":
            used.update(os.path.realpath(t) for t in k.local_kustomizations())
    roots: dict[str, Kustomization] = {}
    for k in named + [k for k in found if k.kind != "Component" and k.real not in used]:
        roots.setdefault(k.real, k)
    covered = sorted({k.display_dir for k in named + found})
    return Plan(sorted(roots.values(), key=lambda k: k.display_dir), covered)


# --------------------------------------------------------------------------- building


def find_tool(explicit: str | None = None) -> list[str]:
    """The command that builds a directory: ``[kustomize, build]`` or ``[kubectl, kustomize]``."""
    if explicit:
        found = shutil.which(explicit) or (explicit if os.path.isfile(explicit) else None)
        if found is None:
            raise UserError(f"--kustomize-bin {explicit}: no such program")
        return [found, "kustomize"] if os.path.basename(found).startswith("kubectl") else [found, "build"]
    kustomize = shutil.which("kustomize")
    if kustomize:
        return [kustomize, "build"]
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize"]
    raise UserError(
        "cannot build kustomizations: neither `kustomize` nor `kubectl` was found on PATH. Install one "
        "(kubectl includes kustomize), point --kustomize-bin at it, or pass --no-build to lint the files as they are"
    )


def _offline_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_ALLOW_PROTOCOL="file",
        GIT_TERMINAL_PROMPT="0",
        HTTP_PROXY=_DEAD_PROXY,
        HTTPS_PROXY=_DEAD_PROXY,
        http_proxy=_DEAD_PROXY,
        https_proxy=_DEAD_PROXY,
        NO_PROXY="",
        no_proxy="",
    )
    return env


def clean_error(stderr: str, overlay: str, root: Kustomization) -> str:
    """The tool's message without klog prefixes, timestamps, pids or temporary paths (deterministic)."""
    text = _KLOG.sub("", stderr)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("# Warning:")]
    text = " ".join(ln.strip() for ln in lines)
    match = re.search(r'err="((?:[^"\\]|\\.)*)"', text) or re.search(r"err=<\s*(.*?)\s*>\s*$", text)
    if match:
        body = match.group(1)
        if match.re.pattern.startswith('err="'):
            with contextlib.suppress(ValueError):
                body = json.loads(f'"{body}"')
        text = body
    text = re.sub(r"^Error:\s*", "", text)
    target = os.path.relpath(root.real, overlay)
    cwd = os.path.realpath(os.getcwd())
    for old, new in ((overlay + "/", ""), (overlay, "."), (target, root.display_dir), (cwd + "/", "")):
        text = text.replace(old, new)
    text = " ".join(text.split())
    missing = _MISSING.findall(text)
    if missing:  # kustomize wraps a missing file in every layer it was reached through; the file is the news
        return f"{missing[-1]} does not exist"
    return text if len(text) <= 1200 else text[:1200] + "..."


@dataclass(frozen=True, slots=True)
class Origin:
    """Where kustomize says an object came from: a file (``path``), or a generator in a kustomization."""

    path: str
    local: bool
    generator: str | None = None


@dataclass
class Build:
    """One built kustomization: the parsed output (or the files with problems), and each document's origin."""

    @property
    def display(self) -> str:
        return display_name(self.root.display_dir)

    root: Kustomization
    sources: list[ParsedSource]
    origins: dict[int, Origin] = field(default_factory=dict)
    chain: list[Kustomization] = field(default_factory=list)
    failed: bool = False


def _run_tool(tool: Sequence[str], root: Kustomization, timeout: float) -> tuple[str | None, str, str]:
    """Build ``root`` through a temporary overlay; return (stdout or None, error, overlay path)."""
    with tempfile.TemporaryDirectory(prefix="kportable-kustomize-") as tmp:
        overlay = os.path.realpath(tmp)
        target = os.path.relpath(root.real, overlay).replace(os.sep, "/")
        field_name = "components" if root.kind == "Component" else "resources"
        Path(overlay, "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"{field_name}:\n- {json.dumps(target)}\nbuildMetadata: [originAnnotations]\n",
            encoding="utf-8",
        )
        try:
            proc = subprocess.run(
                [*tool, overlay], capture_output=True, text=True, timeout=timeout, env=_offline_env(), check=False
            )
        except subprocess.TimeoutExpired:
            return None, f"{' '.join(tool[-2:])} did not finish within {timeout:.0f} s", overlay
        except OSError as exc:
            return None, f"cannot run {tool[0]}: {exc.strerror or exc}", overlay
        if proc.returncode != 0:
            return None, clean_error(proc.stderr, overlay, root) or f"exit status {proc.returncode}", overlay
        return proc.stdout, "", overlay


def _origin(annotation: str, overlay: str, cwd: str) -> Origin | None:
    fields = dict(re.findall(r"^(\w+):[ \t]*(.*?)\s*$", annotation, re.M))
    generator = None
    kind = re.search(r"^\s+kind:\s*(\S+)", annotation, re.M)
    if "configuredIn" in fields:
        path = fields["configuredIn"]
        generator = kind.group(1) if kind else "generator"
    else:
        path = fields.get("path", "")
    if not path:
        return None
    if "repo" in fields:
        ref = f"?ref={fields['ref']}" if fields.get("ref") else ""
        return Origin(f"{fields['repo']}//{path}{ref}", False, generator)
    full = os.path.normpath(os.path.join(overlay, path))
    return Origin(relative(Path(full), cwd), os.path.isfile(full), generator)


def strip_origin(doc: Document) -> tuple[Document, str | None]:
    """Remove ``config.kubernetes.io/origin`` from a document (data and positions); return it."""
    data = doc.data
    if not isinstance(data, dict):
        return doc, None
    meta = data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict) or ORIGIN_ANNOTATION not in annotations:
        return doc, None
    assert isinstance(meta, dict)
    value = annotations.pop(ORIGIN_ANNOTATION)
    shadow = doc.shadow
    meta_shadow = shadow[1].get("metadata") if isinstance(shadow, tuple) and isinstance(shadow[1], dict) else None
    ann_shadow = None
    if isinstance(meta_shadow, tuple) and isinstance(meta_shadow[1], dict):
        ann_shadow = meta_shadow[1].get("annotations")
        if isinstance(ann_shadow, tuple) and isinstance(ann_shadow[1], dict):
            ann_shadow[1].pop(ORIGIN_ANNOTATION, None)
        if not annotations:
            meta_shadow[1].pop("annotations", None)
    if not annotations:
        del meta["annotations"]
    return doc, value if isinstance(value, str) else None


def _guess_origin(kustomizations: Sequence[Kustomization], data: JSON, cwd: str) -> Origin | None:
    """The resource file that holds an object whose origin annotation a patch removed (by kind and name).

    A JSON 6902 ``add /metadata/annotations`` replaces the whole mapping, kustomize's annotation
    included (kustomize then names the patch transformer instead); the object is looked up in the
    files the kustomizations list as resources.
    """
    meta = as_dict(as_dict(data).get("metadata"))
    kind, name = as_dict(data).get("kind"), as_str(meta.get("name"))
    if not isinstance(kind, str) or not name:
        return None
    for k in kustomizations:
        for _, _, entry in k.references():
            path = k.directory / entry
            if not path.is_file():
                continue
            try:
                parsed = parse_bytes(str(path), path.read_bytes())
            except OSError:
                continue
            for doc in parsed.documents:
                d = as_dict(doc.data)
                own = as_str(as_dict(d.get("metadata")).get("name"))
                if d.get("kind") == kind and own and own in name:
                    return Origin(relative(path, cwd), True)
    return None


def _finish(root: Kustomization, text: str, overlay: str, cwd: str) -> Build:
    display = display_name(root.display_dir)
    source = parse_text(display, text, is_json=False)
    build = Build(root, [source], chain=chain(root))
    documents = []
    for parsed in source.documents:
        doc, annotation = strip_origin(parsed)
        origin = _origin(annotation, overlay, cwd) if annotation else None
        if origin is None or (origin.generator and not origin.generator.endswith("Generator")):
            # no annotation, or one naming the transformer that rewrote the annotations (a JSON 6902 patch)
            origin = _guess_origin(build.chain, doc.data, cwd) or origin or Origin(
                relative(root.file, cwd), True, "kustomization")
        build.origins[doc.index] = origin
        documents.append(replace(doc, origin=origin.path))
    source.documents[:] = documents
    return build


def build_one(root: Kustomization, tool: Sequence[str], timeout: float = BUILD_TIMEOUT) -> Build:
    """Build one kustomization; remote bases anywhere in its chain are reported, never fetched."""
    failures = []
    for k in chain(root):
        if k.doc is not None:
            problems = remote_problems(k.display, k.doc, k.directory)
            if problems:
                failures.append(ParsedSource(k.display, problems=problems, text=k.text))
    if failures:
        return Build(root, failures, failed=True)
    text, error, overlay = _run_tool(tool, root, timeout)
    if text is None:
        hint = (
            " (a Component is applied by the overlays that list it under `components:`: lint one of those)"
            if root.kind == "Component" else ""
        )
        problem = LoadProblem(BUILD_ERROR, 1, 1, f"kustomize build of {root.display_dir} failed: {error}{hint}")
        return Build(root, [ParsedSource(root.display, problems=[problem], text=root.text)], failed=True)
    return _finish(root, text, overlay, os.path.realpath(os.getcwd()))


def build_all(roots: Sequence[Kustomization], tool_name: str | None, jobs: int = 1) -> list[Build]:
    """Build every root (in parallel threads: each build is a subprocess), in the order given."""
    if not roots:
        return []
    tool = find_tool(tool_name)
    workers = max(1, min(jobs, len(roots), 8))
    if workers == 1:
        return [build_one(r, tool) for r in roots]
    from concurrent.futures import ThreadPoolExecutor  # here: lint start-up does not need it

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda r: build_one(r, tool), roots))


# --------------------------------------------------------------------------- plain reading


def skip_kustomizations(sources: Sequence[ParsedSource], on_disk: frozenset[str]) -> int:
    """Drop kustomization documents read as files (counted; remote bases become KP031); return how many."""
    count = 0
    for src in sources:
        if not src.documents:
            continue
        kept = []
        for doc in src.documents:
            if is_kustomization(src.path, doc.data):
                count += 1
                base = Path(os.path.dirname(src.path) or ".") if src.path in on_disk else None
                src.problems.extend(remote_problems(src.path, doc, base))
            else:
                kept.append(doc)
        if len(kept) != len(src.documents):
            src.documents[:] = kept
    return count


def strip_origin_annotations(sources: Sequence[ParsedSource]) -> None:
    """Origin annotations in any other input (a build piped in) become ``Document.origin``, as written."""
    for src in sources:
        if src.text is None or ORIGIN_ANNOTATION not in src.text:
            continue
        documents = []
        for parsed in src.documents:
            doc, annotation = strip_origin(parsed)
            fields = dict(re.findall(r"^(\w+):[ \t]*(.*?)\s*$", annotation or "", re.M))
            path = fields.get("path") or fields.get("configuredIn")
            documents.append(replace(doc, origin=path) if path else doc)
        src.documents[:] = documents
