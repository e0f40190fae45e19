"""Render and render+lint time of a generated Helm chart (30 templates by default), per available backend.

    .venv/bin/python benchmarks/bench_chart.py [--templates 30] [--repeat 5]

The chart has one Deployment, Service or ConfigMap per template, written like ``helm create``
output (helpers, ``toYaml | nindent``, ``with`` blocks), plus a per-cloud values file. For each
backend (``helm`` on PATH, the SDK when installed) it prints the best of ``--repeat`` runs of:
the render alone (``ChartRenderer.render``), and ``kportable.api.run`` over the chart with the
full default rule set (render + parse + rules + origins), in process, GC off as in the CLI.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HELPERS = """{{- define "bench.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app%(n)d
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: app%(n)d
  template:
    metadata:
      labels:
        app: app%(n)d
    spec:
      serviceAccountName: {{ .Release.Name }}
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: 8080
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc%(n)d
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type }}
  selector:
    app: app%(n)d
  ports:
    - port: 80
      targetPort: 8080
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config%(n)d
data:
  level: {{ .Values.logLevel | quote }}
  index: "%(n)d"
"""

VALUES = """replicas: 2
image: {repository: ghcr.io/example/app, tag: "1.0"}
resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}
nodeSelector: {}
service: {type: ClusterIP, annotations: {}}
logLevel: info
"""

VALUES_AWS = """nodeSelector: {eks.amazonaws.com/nodegroup: general}
service:
  type: LoadBalancer
  annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
"""


def write_chart(root: Path, templates: int) -> Path:
    chart = root / "bench"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bench\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(VALUES)
    (chart / "values-aws.yaml").write_text(VALUES_AWS)
    (chart / "templates" / "_helpers.tpl").write_text(HELPERS)
    kinds = (("deployment", DEPLOYMENT), ("service", SERVICE), ("configmap", CONFIGMAP))
    for n in range(templates):
        name, body = kinds[n % len(kinds)]
        (chart / "templates" / f"{name}-{n:02d}.yaml").write_text(body % {"n": n})
    return chart


def best(repeat: int, fn: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--templates", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from kportable.api import RunOptions, run
    from kportable.render.chart_backends import HelmBinary, HelmSdk, RenderRequest
    from kportable.render.charts import merged_values

    gc.disable()
    with tempfile.TemporaryDirectory(prefix="kportable-bench-chart-") as tmp:
        chart = write_chart(Path(tmp), args.templates)
        os.chdir(tmp)
        values = ("bench/values-aws.yaml",)
        request = RenderRequest("bench", "bench", "default", values_files=values, values=merged_values(values))
        backends = []
        if shutil.which("helm"):
            backends.append(("helm", HelmBinary(shutil.which("helm") or "helm")))
        if HelmSdk.available():
            start = time.perf_counter()
            import helm_python  # noqa: F401  (the first import loads the shared library: reported apart)

            print(f"sdk: first import (loads the shared library) {1000 * (time.perf_counter() - start):.0f} ms")
            backends.append(("sdk", HelmSdk()))
        if not backends:
            print("no backend: neither helm on PATH nor helm-python-sdk installed", file=sys.stderr)
            return 1
        print(f"chart: {args.templates} templates ({chart.name}), values-aws.yaml; best of {args.repeat}")
        for name, backend in backends:
            render_s = best(args.repeat, lambda b=backend: b.render(request))  # type: ignore[misc]
            options = RunOptions(paths=("bench",), chart_render=True, chart_values=values, helm_backend=name)
            result = run(options)
            lint_s = best(args.repeat, lambda o=options: run(o))  # type: ignore[misc]
            print(f"{name:>4}: render {1000 * render_s:7.1f} ms   render+lint {1000 * lint_s:7.1f} ms   "
                  f"({result.stats.resources} objects, {len(result.findings)} findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
