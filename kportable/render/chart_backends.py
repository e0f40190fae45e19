"""Chart renderers: the programs that turn a Helm chart into manifests, behind one small interface.

``pick_backend`` tries them in this order (``--helm-backend auto``, the default):

1. **helm** on PATH (``helm template``): what developer machines and CI runners usually have, and
   the reference for what a chart renders to;
2. **sdk**: ``helm-python-sdk`` (``pip install kportable[helm]``), Helm v4's Go SDK behind a C
   ABI; renders in process, offline, one manifest per template path;
3. otherwise a ``UserError`` (exit 2) that says how to get either.

Both return the same thing: a ``helm template``-style stream (``---`` then ``# Source: <chart>/templates/<file>``
above every document, in Helm's install order, hooks last) so everything downstream (the loader's
origins, ``ChartIndex``, ``outline.find_line``) treats a render exactly like piped ``helm template``
output. A render failure raises ``ChartRenderError`` with Helm's message. A third backend is one more
class with ``name`` and ``render(request) -> str``, added to ``BACKENDS``.

The SDK is imported inside ``HelmSdk.render`` only: its shared library is 75 MB, and most runs
(and ``kportable --version``) never render a chart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import UserError

RENDER_TIMEOUT = 120.0
_DEAD_PROXY = "http://127.0.0.1:9"

# Helm's install order (pkg/release/util/kind_sorter.go): objects of a kind not listed come after,
# by kind name; the sort is stable, so documents of one kind keep template-path order.
INSTALL_ORDER = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
    "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
    "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
_RANK = {kind: i for i, kind in enumerate(INSTALL_ORDER)}
# Helm's SplitManifests separator: a line starting with ``---`` (anything after it on the line is dropped).
_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")
_KIND = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z0-9.]+)", re.M)
_HOOK = re.compile(r"^\s+['\"]?helm\.sh/hook['\"]?\s*:", re.M)


class ChartRenderError(Exception):
    """A chart that did not render: Helm's message, as Helm printed it (cleaned by the caller)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RenderRequest:
    """One render: the chart directory, the release, and the values in Helm's order of precedence.

    ``values_files`` are paths (the helm binary reads them itself); ``values`` is the same files already
    read and deep-merged, with ``--set``/``--set-string`` applied on top, for in-process backends.
    """

    chart: str
    release: str
    namespace: str
    values_files: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    set_strings: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


class ChartRenderer(Protocol):
    """A way to render a chart. ``render`` returns a ``helm template``-style stream or raises ``ChartRenderError``."""

    name: str

    def render(self, request: RenderRequest) -> str: ...


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merge of values files: mappings merge key by key, anything else in ``override`` replaces."""
    out = dict(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- the stream both backends return


@dataclass(frozen=True, slots=True)
class _Manifest:
    source: str
    text: str
    kind: str
    hook: bool


def split_manifests(files: Mapping[str, str]) -> list[_Manifest]:
    """Every non-empty document of every rendered template (partials and ``NOTES.txt`` left out), file by file."""
    out = []
    for source in sorted(files):
        base = source.rsplit("/", 1)[-1]
        if base.startswith("_") or source.endswith("NOTES.txt"):
            continue
        for part in _SEPARATOR.split(files[source]):
            text = part.strip()
            if not text:
                continue
            kind = _KIND.search(text)
            out.append(_Manifest(source, text, kind.group(1) if kind else "", bool(_HOOK.search(_head(text)))))
    return out


def _head(text: str) -> str:
    """The top-level ``metadata`` block of a document (where Helm reads hook annotations), roughly."""
    match = re.search(r"^metadata:[ \t]*\n((?:[ \t]+.*\n?|\s*\n)*)", text, re.M)
    if match is None:
        return ""
    block = match.group(1)
    annotations = re.search(r"^([ \t]+)annotations:[ \t]*\n((?:\1[ \t]+.*\n?)*)", block, re.M)
    return annotations.group(2) if annotations else ""


def _order(m: _Manifest) -> tuple[int, str]:
    rank = _RANK.get(m.kind)
    return (rank, "") if rank is not None else (len(INSTALL_ORDER), m.kind)


def helm_stream(files: Mapping[str, str]) -> str:
    """The ``helm template`` output for rendered templates: install order, hooks after the rest."""
    manifests = split_manifests(files)
    plain = sorted((m for m in manifests if not m.hook), key=_order)
    hooks = sorted((m for m in manifests if m.hook), key=_order)
    return "".join(f"---\n# Source: {m.source}\n{m.text}\n" for m in (*plain, *hooks))


# --------------------------------------------------------------------------- backends


def _isolated_env(home: str) -> dict[str, str]:
    """A clean environment for ``helm``: its own empty config, cache and plugins; no cluster; no network."""
    keep = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=home,
        HELM_CACHE_HOME=os.path.join(home, "cache"),
        HELM_CONFIG_HOME=os.path.join(home, "config"),
        HELM_DATA_HOME=os.path.join(home, "data"),
        HELM_PLUGINS=os.path.join(home, "plugins"),
        KUBECONFIG=os.path.join(home, "no-kubeconfig"),
        HTTP_PROXY=_DEAD_PROXY, HTTPS_PROXY=_DEAD_PROXY, http_proxy=_DEAD_PROXY, https_proxy=_DEAD_PROXY,
        NO_PROXY="", no_proxy="",
    )
    return env


class HelmBinary:
    """``helm template`` from a ``helm`` program (v3 or v4), run offline with an empty Helm home."""

    name = "helm"

    def __init__(self, program: str, timeout: float = RENDER_TIMEOUT) -> None:
        self.program = program
        self.timeout = timeout

    def command(self, request: RenderRequest) -> list[str]:
        cmd = [self.program, "template", request.release, request.chart, "--namespace", request.namespace]
        for path in request.values_files:
            cmd += ["--values", os.path.abspath(path)]
        for expression in request.set_values:
            cmd += ["--set", expression]
        for expression in request.set_strings:
            cmd += ["--set-string", expression]
        return cmd

    def render(self, request: RenderRequest) -> str:
        with tempfile.TemporaryDirectory(prefix="kportable-helm-") as home:
            try:
                proc = subprocess.run(
                    self.command(request), capture_output=True, text=True, timeout=self.timeout,
                    env=_isolated_env(home), check=False, stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                raise ChartRenderError(f"helm template did not finish within {self.timeout:.0f} s") from None
            except OSError as exc:
                raise ChartRenderError(f"cannot run {self.program}: {exc.strerror or exc}") from None
        if proc.returncode != 0:
            bad_set = re.search(r"failed parsing --set(?:-string)? data: (.*)", proc.stderr)
            if bad_set:
                raise UserError(f"--set: {bad_set.group(1).strip()}")
            raise ChartRenderError(proc.stderr.strip() or f"helm template exited with status {proc.returncode}")
        return proc.stdout


class HelmSdk:
    """Helm's Go SDK in process (``helm-python-sdk``, import name ``helm_python``): offline, no ``lookup``."""

    name = "sdk"

    @staticmethod
    def available() -> bool:
        import importlib.util

        return importlib.util.find_spec("helm_python") is not None

    def render(self, request: RenderRequest) -> str:
        import helm_python as helm  # here: a 75 MB shared library most runs never need

        values = dict(request.values)
        for option, parse, expressions in (("--set", helm.parse_set_string, request.set_values),
                                           ("--set-string", helm.parse_set_string_values, request.set_strings)):
            for expression in expressions:
                try:
                    values = deep_merge(values, parse(expression))
                except helm.HelmError as exc:
                    raise UserError(f"{option} {expression}: {exc.detail}") from None
        try:
            with helm.Chart.load(request.chart) as chart:
                files = chart.render(values, name=request.release, namespace=request.namespace)
        except helm.HelmError as exc:
            raise ChartRenderError(exc.detail) from None
        return helm_stream(files)


SDK_HINT = "pip install 'kportable[helm]'"
BACKENDS = ("auto", "helm", "sdk")


def pick_backend(choice: str = "auto", helm_bin: str | None = None) -> ChartRenderer:
    """The renderer to use: ``helm`` on PATH (or ``helm_bin``), else the SDK; ``UserError`` when neither is there."""
    if choice not in BACKENDS:
        raise UserError(f"--helm-backend {choice}: choose one of {', '.join(BACKENDS)}")
    if helm_bin:
        found = shutil.which(helm_bin) or (helm_bin if os.path.isfile(helm_bin) else None)
        if found is None:
            raise UserError(f"--helm-bin {helm_bin}: no such program")
        if choice != "sdk":
            return HelmBinary(found)
    if choice in ("auto", "helm") and not helm_bin:
        found = shutil.which("helm")
        if found:
            return HelmBinary(found)
        if choice == "helm":
            raise UserError("--helm-backend helm: no `helm` program on PATH (install Helm, or point --helm-bin at it)")
    if HelmSdk.available():
        return HelmSdk()
    if choice == "sdk":
        raise UserError(f"--helm-backend sdk: helm-python-sdk is not installed; install it with {SDK_HINT}")
    raise UserError(
        "cannot render Helm charts: no `helm` program on PATH and helm-python-sdk is not installed. Install "
        f"Helm (https://helm.sh/docs/intro/install/), or the SDK with {SDK_HINT}; or pass --no-build to read "
        "the chart's files as they are (templates are then skipped, KP030)"
    )
