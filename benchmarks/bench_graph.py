#!/usr/bin/env python3
"""All-pairs detector: the graph and the rules on one huge namespace, at N and 4N apps.

Every app is a Deployment with a Service, a PodDisruptionBudget (``matchExpressions``), a
NetworkPolicy, an HPA, a ServiceAccount, a ConfigMap, a PVC, an Ingress and a RoleBinding (its
ServiceAccount and a team group, which one aws-auth entry per app maps an IAM role to), all in one
namespace, so any cross-resource lookup that scans the bundle instead of using the inventory's
indexes grows quadratically. Prints the time of the graph and rule stages (and of each rule)
at both sizes and their growth: about 4x is linear, 16x is all-pairs. Exits 1 when a stage
or a rule grows more than ``--limit`` times (default 6) and takes at least 50 ms.

    python benchmarks/bench_graph.py [--apps 2000] [--limit 6]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: big}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}, tier: web}}}}
    spec:
      serviceAccountName: sa{i}
      containers:
      - name: c
        image: registry.example.com/app{i}:1.0
        envFrom: [{{configMapRef: {{name: cm{i}}}}}]
        resources: {{requests: {{cpu: 10m, memory: 16Mi}}, limits: {{memory: 16Mi}}}}
      volumes: [{{name: data, persistentVolumeClaim: {{claimName: pvc{i}}}}}]
---
apiVersion: v1
kind: Service
metadata: {{name: svc{i}, namespace: big}}
spec: {{selector: {{app: app{i}}}, ports: [{{port: 80}}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: pdb{i}, namespace: big}}
spec: {{minAvailable: 1, selector: {{matchExpressions: [{{key: app, operator: In, values: [app{i}]}}]}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: np{i}, namespace: big}}
spec: {{podSelector: {{matchLabels: {{app: app{i}}}}}, policyTypes: [Ingress]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: hpa{i}, namespace: big}}
spec: {{scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app{i}}}, minReplicas: 2, maxReplicas: 4}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: sa{i}, namespace: big}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: cm{i}, namespace: big}}
data: {{key: value}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: pvc{i}, namespace: big}}
spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: ing{i}, namespace: big}}
spec:
  rules:
  - host: app{i}.example.com
    http:
      paths:
      - {{path: /, pathType: Prefix, backend: {{service: {{name: svc{i}, port: {{number: 80}}}}}}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: rb{i}, namespace: big}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}
subjects: [{{kind: ServiceAccount, name: sa{i}}}, {{kind: Group, name: team{i}}}]
"""
AWS_AUTH_ENTRY = """\
    - rolearn: arn:aws:iam::111122223333:role/team{i}
      username: team{i}
      groups: [team{i}]
"""


def measure(apps: int) -> dict[str, float]:
    from kportable.api import RunOptions, run
    from kportable.plugins.manager import get_registry

    aws_auth = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\n"
                "data:\n  mapRoles: |\n" + "".join(AWS_AUTH_ENTRY.format(i=i) for i in range(apps)))
    raw = "---\n".join([*(APP.format(i=i) for i in range(apps)), aws_auth]).encode()
    gc.disable()
    start = time.perf_counter()
    result = run(RunOptions(inputs=(("big.yaml", raw),), timings=True), get_registry())
    total = time.perf_counter() - start
    gc.enable()
    assert not result.crashes, result.crashes[0].traceback
    out = {k: v for k, v in result.seconds.items() if k in ("graph", "rules", "score") or k.startswith("rule:")}
    out["total"] = total
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=2000, help="apps at the small size (10 objects each)")
    parser.add_argument("--limit", type=float, default=6.0, help="growth for 4x the input that counts as all-pairs")
    args = parser.parse_args(argv)
    small, big = measure(args.apps), measure(4 * args.apps)
    print(f"one namespace, {args.apps:,} vs {4 * args.apps:,} apps ({10 * args.apps:,} vs {40 * args.apps:,} objects)")
    suspects = []
    for key in ["total", "graph", "rules", "score", *sorted(k for k in big if k.startswith("rule:"))]:
        if key not in big:
            continue
        growth = big[key] / small[key] if small[key] > 1e-4 else 0.0
        flag = big[key] >= 0.05 and growth > args.limit
        if flag:
            suspects.append(key)
        if not key.startswith("rule:") or big[key] >= 0.01 or flag:
            mark = "  ALL-PAIRS?" if flag else ""
            print(f"  {key:<14} {small[key]:8.3f} s -> {big[key]:8.3f} s  x{growth:5.1f}{mark}")
    if suspects:
        print(f"grows faster than linear: {', '.join(suspects)}")
        return 1
    print("linear: no stage or rule grows like all-pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
