#!/usr/bin/env python3
# Copied verbatim (apart from this comment) from ../shared/tools/gen_corpus.py, the shared corpus
# generator, so the benchmark works standalone. Keep it in sync by copying again; do not edit here.
"""Usage: gen_corpus.py N OUTDIR [--seed S]

Writes N synthetic Kubernetes documents (about 2.4 KB each on average) into
OUTDIR/<cluster>/<namespace>/*.yaml (some .yml, a few single-object .json),
about ten documents per file, plus OUTDIR/CORPUS.txt with counts per kind.
Clusters lean on EKS, GKE, AKS or nothing; ~50 documents per namespace, whose
Services, NetworkPolicies, PDBs and HPAs select the namespace's workloads by
label (a few on purpose select nothing). Some files are `helm template` output
with `# Source:` comments, some documents use YAML anchors/aliases/merge keys.
Same N and seed give byte-identical output. Standard library only.
"""
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

# ---------------------------------------------------------------- YAML emitter


class Anchor:  # emits "&name value"
    def __init__(self, name, value):
        self.name, self.value = name, value


class Alias:  # emits "*name"; keeps the value for JSON output and counting
    def __init__(self, name, value):
        self.name, self.value = name, value


class Flow(list):  # a short scalar list emitted as ["a", "b"]
    pass


NEEDS_QUOTES = re.compile(
    r"^(?:[-+]?[0-9._:]+(?:[eE][-+]?[0-9]+)?|[-+]?0[xXoObB][0-9a-fA-F_]+|[-+]?\.(?:inf|nan)"
    r"|\d{4}-\d\d?-\d\d?.*|y|n|yes|no|true|false|on|off|null|~|<<|=)$", re.I)
PLAIN = re.compile(r"^[A-Za-z0-9_/$][A-Za-z0-9_./@%+=,~()$*:-]*(?: [A-Za-z0-9_./@%+=,~()$*:-]+)*$")


def scalar(v, quote):
    if v is True or v is False:
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    if PLAIN.match(v) and not NEEDS_QUOTES.match(v) and ": " not in v and not v.endswith(":"):
        return v
    if quote == "'" and v.isprintable():
        return "'" + v.replace("'", "''") + "'"
    return json.dumps(v, ensure_ascii=False)


def emit_entry(head, v, ind, out, st):
    anchor = ""
    if isinstance(v, Anchor):
        anchor, v = f" &{v.name}", v.value
    if isinstance(v, Alias):
        out.append(f"{head} *{v.name}")
    elif isinstance(v, Flow):
        out.append(f"{head}{anchor} [{', '.join(json.dumps(x) for x in v)}]")
    elif isinstance(v, dict) and v:
        out.append(head + anchor)
        emit_map(v, ind + 2, out, st)
    elif isinstance(v, list) and v:
        out.append(head + anchor)
        emit_seq(v, ind + 2 if st["seq_indent"] else ind, out, st)
    elif isinstance(v, str) and "\n" in v:
        out.append(f"{head}{anchor} {'|' if v.endswith(chr(10)) else '|-'}")
        out.extend((" " * (ind + 2) + line) if line else "" for line in v.rstrip("\n").split("\n"))
    else:
        empty = "{}" if isinstance(v, dict) else "[]" if isinstance(v, list) else None
        out.append(f"{head}{anchor} {empty or scalar(v, st['quote'])}")


def emit_map(m, ind, out, st, first=None):
    for i, (k, v) in enumerate(m.items()):
        prefix = first if (i == 0 and first is not None) else " " * ind
        emit_entry(prefix + (k if k == "<<" else scalar(k, '"')) + ":", v, ind, out, st)


def emit_seq(seq, ind, out, st):
    for item in seq:
        if isinstance(item, dict) and item:
            emit_map(item, ind + 2, out, st, first=" " * ind + "- ")
        else:
            emit_entry(" " * ind + "-", item, ind, out, st)


def to_yaml(doc, st):
    out = []
    emit_map(doc, 0, out, st)
    return "\n".join(out) + "\n"


def plain(v):
    """The document as a JSON-able value: anchors/aliases resolved, merge keys applied."""
    if isinstance(v, (Anchor, Alias)):
        return plain(v.value)
    if isinstance(v, dict):
        out = {}
        if "<<" in v:
            out.update(plain(v["<<"]))
        out.update((k, plain(x)) for k, x in v.items() if k != "<<")
        return out
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


# ---------------------------------------------------------------- cloud data

CLOUDS = ["aws", "gcp", "azure", "portable"]
ACCOUNT, PROJECT = "123456789012", "acme-prod-4821"
STORAGE = {  # name -> (provisioner, parameters, cloud)
    "gp3": ("ebs.csi.aws.com", {"type": "gp3", "iops": "3000", "throughput": "125", "encrypted": "true"}, "aws"),
    "gp2-legacy": ("kubernetes.io/aws-ebs", {"type": "gp2", "fsType": "ext4"}, "aws"),
    "efs-sc": ("efs.csi.aws.com", {"provisioningMode": "efs-ap", "fileSystemId": "fs-0a1b2c3d4e5f", "directoryPerms": "700"}, "aws"),
    "standard-rwo": ("pd.csi.storage.gke.io", {"type": "pd-balanced"}, "gcp"),
    "premium-rwo": ("pd.csi.storage.gke.io", {"type": "pd-ssd", "replication-type": "regional-pd"}, "gcp"),
    "filestore-standard": ("filestore.csi.storage.gke.io", {"tier": "standard", "network": "default"}, "gcp"),
    "managed-csi": ("disk.csi.azure.com", {"skuName": "StandardSSD_LRS"}, "azure"),
    "managed-csi-premium": ("disk.csi.azure.com", {"skuName": "Premium_LRS", "cachingMode": "ReadOnly"}, "azure"),
    "azurefile-csi": ("file.csi.azure.com", {"skuName": "Standard_LRS", "protocol": "smb"}, "azure"),
    "local-path": ("rancher.io/local-path", {}, "portable"),
    "nfs-csi": ("nfs.csi.k8s.io", {"server": "nfs.storage.svc.cluster.local", "share": "/exports"}, "portable"),
    "csi-hostpath": ("hostpath.csi.k8s.io", {}, "portable"),
}
RWX = {"aws": "efs-sc", "gcp": "filestore-standard", "azure": "azurefile-csi", "portable": "nfs-csi"}
RWO = {"aws": ["gp3", "gp2-legacy"], "gcp": ["standard-rwo", "premium-rwo"],
       "azure": ["managed-csi", "managed-csi-premium"], "portable": ["local-path", "csi-hostpath"]}
INGRESS_CLASS = {"aws": "alb", "gcp": "gce", "azure": "azure-application-gateway", "portable": "nginx"}
NODE_SELECTORS = {
    "aws": [("eks.amazonaws.com/nodegroup", "ng-general"), ("node.kubernetes.io/instance-type", "m6i.xlarge"),
            ("karpenter.sh/capacity-type", "spot"), ("topology.kubernetes.io/zone", "us-east-1a")],
    "gcp": [("cloud.google.com/gke-nodepool", "default-pool"), ("cloud.google.com/gke-spot", "true"),
            ("cloud.google.com/machine-family", "n2")],
    "azure": [("kubernetes.azure.com/agentpool", "userpool"), ("kubernetes.azure.com/scalesetpriority", "spot"),
              ("node.kubernetes.io/instance-type", "Standard_D4s_v5")],
    "portable": [("kubernetes.io/os", "linux"), ("kubernetes.io/arch", "amd64")],
}
WORDS = ("web api checkout cart payments search auth gateway worker scheduler notifier ledger catalog "
         "inventory reports billing metrics ingest etl cache queue mailer pricing recommender profile media "
         "uploads orders shipping reviews fraud sessions audit export importer indexer thumbnailer").split()
TEAMS = "platform payments growth data ml storefront identity logistics".split()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.cur = set()   # facts about the document being built ("aws", "anchors", ...)
        self.facts = {}    # id(doc) -> those facts, counted into CORPUS.txt

    # small helpers
    def p(self, prob):
        return self.r.random() < prob

    def pick(self, seq):
        return self.r.choice(seq)

    def hexs(self, n):
        return f"{self.r.getrandbits(4 * n):0{n}x}"

    def tie(self, cloud):
        if cloud != "portable":
            self.cur.add(f"tied to {cloud}")

    def made(self, doc):
        self.facts[id(doc)], self.cur = self.cur, set()
        return doc

    def style(self):
        return {"seq_indent": self.p(0.5), "quote": self.pick(['"', "'"]), "lead": self.p(0.3)}

    def image(self, cloud, app, team):
        tag = f"{self.r.randint(1, 4)}.{self.r.randint(0, 30)}.{self.r.randint(0, 12)}"
        if cloud == "aws" and self.p(0.7):
            self.tie("aws")
            return f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{team}/{app}:{tag}"
        if cloud == "gcp" and self.p(0.7):
            self.tie("gcp")
            return self.pick([f"us-docker.pkg.dev/{PROJECT}/{team}/{app}:{tag}", f"gcr.io/{PROJECT}/{app}:{tag}"])
        if cloud == "azure" and self.p(0.7):
            self.tie("azure")
            return f"acmeprod.azurecr.io/{team}/{app}:{tag}"
        if self.p(0.05):
            return f"ghcr.io/acme/{app}:latest"
        return self.pick([f"ghcr.io/acme/{app}:{tag}", f"quay.io/acme/{app}:{tag}", f"docker.io/acme/{app}:{tag}"])

    # ------------------------------------------------------------ pod spec
    def env(self, app):
        env = [{"name": "APP_NAME", "value": app}, {"name": "LOG_LEVEL", "value": self.pick(["info", "debug", "warn"])},
               {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
               {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]
        for i in range(self.r.randint(5, 22)):
            name = f"{self.pick(WORDS).upper()}_{self.pick(['URL', 'TIMEOUT', 'POOL_SIZE', 'ENABLED', 'HOST', 'PORT'])}_{i}"
            kind = self.r.random()
            if kind < 0.55:
                val = self.pick(["true", "30s", "8080", f"http://{self.pick(WORDS)}:8080/v1", "0.75", str(self.r.randint(1, 500))])
                env.append({"name": name, "value": val})
            elif kind < 0.8:
                env.append({"name": name, "valueFrom": {"configMapKeyRef": {"name": f"{app}-config", "key": name.lower()}}})
            else:
                env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": f"{app}-secrets", "key": name.lower(), "optional": self.p(0.3)}}})
        return env

    def resources(self):
        cpu, mem = self.pick([50, 100, 250, 500, 1000]), self.pick([64, 128, 256, 512, 1024, 2048])
        res = {"requests": {"cpu": f"{cpu}m", "memory": f"{mem}Mi"}}
        roll = self.r.random()
        if roll < 0.68:
            res["limits"] = {"cpu": f"{cpu * 2}m", "memory": f"{mem * 2}Mi"}
            if self.p(0.1):
                res["limits"]["ephemeral-storage"] = "2Gi"
            return res
        self.cur.add("workloads with a container without limits")
        return res if roll < 0.88 else {}

    def probe(self, kind, port):
        if kind == "http":
            handler = {"httpGet": {"path": self.pick(["/healthz", "/ready", "/actuator/health", "/-/healthy"]), "port": port}}
        elif kind == "tcp":
            handler = {"tcpSocket": {"port": port}}
        else:
            handler = {"exec": {"command": Flow(["/bin/sh", "-c", "pg_isready -U app"])}}
        handler.update({"initialDelaySeconds": self.pick([0, 5, 10, 30]), "periodSeconds": self.pick([5, 10, 15, 30]),
                        "timeoutSeconds": self.pick([1, 3, 5]), "failureThreshold": self.pick([3, 5, 6])})
        return handler

    def container(self, app, cloud, team, main=True, image=None):
        name = app if main else self.pick(["envoy", "log-shipper", "otel-agent", "config-reloader"])
        port = self.pick([8080, 8443, 3000, 9000, 5000])
        c = {"name": name, "image": image or self.image(cloud, name, team),
             "imagePullPolicy": self.pick(["IfNotPresent", "IfNotPresent", "Always"])}
        if main and self.p(0.6):
            args = ["--port", str(port), f"--log-format={self.pick(['json', 'text'])}", "--metrics-addr=:9090"]
            c["args"] = Flow(args) if self.p(0.3) else args
        c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"} if main else {"name": "admin", "containerPort": 15000}]
        if main and self.p(0.5):
            c["ports"].append({"name": "metrics", "containerPort": 9090})
        c["env"] = self.env(app) if main else [{"name": "LOG_LEVEL", "value": "info"}]
        if main and self.p(0.3):
            c["envFrom"] = [{"configMapRef": {"name": f"{app}-config"}}]
        c["resources"] = self.resources()
        if main:
            roll = self.r.random()
            if roll < 0.75:
                c["readinessProbe"] = self.probe(self.pick(["http", "http", "tcp"]), "http")
                c["livenessProbe"] = self.probe(self.pick(["http", "tcp", "exec"]), "http")
            elif roll < 0.88:
                c["readinessProbe"] = self.probe("http", port)
            if self.p(0.2):
                c["startupProbe"] = self.probe("http", "http")
        c["volumeMounts"] = [{"name": "config", "mountPath": f"/etc/{app}", "readOnly": True}, {"name": "tmp", "mountPath": "/tmp"}]
        if self.p(0.6):
            c["securityContext"] = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": self.p(0.7),
                                    "capabilities": {"drop": Flow(["ALL"])}}
        if main and self.p(0.2):
            c["lifecycle"] = {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}}}
        return c

    def pod_spec(self, app, cloud, team, labels, kind, claim=None):
        anchors = self.p(0.04)
        main = self.container(app, cloud, team)
        spec = {"serviceAccountName": app}
        if self.p(0.7):
            spec["securityContext"] = {"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
                                       "seccompProfile": {"type": "RuntimeDefault"}}
        if self.p(0.2):
            init = self.container(app, cloud, team, main=False, image=main["image"])
            init.update(name="migrate", command=["/app/migrate", "--wait"])
            init.pop("ports", None)
            if anchors:  # the init container comes first in the output, so it holds the anchor
                init["env"] = Anchor("app-env", main["env"])
                main["env"] = Alias("app-env", main["env"])
                self.cur.add("documents with YAML anchors")
                anchors = False
            spec["initContainers"] = [init]
        spec["containers"] = [main]
        if self.p(0.4):
            side = self.container(app, cloud, team, main=False)
            if anchors and main["resources"]:
                main["resources"] = Anchor("res", main["resources"])
                side["resources"] = Alias("res", main["resources"].value)
                self.cur.add("documents with YAML anchors")
            if cloud == "gcp" and self.p(0.5):
                side.update(name="cloud-sql-proxy", image="gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.1",
                            args=[f"--port=5432", f"{PROJECT}:us-central1:{app}-db"])
                self.tie("gcp")
            spec["containers"].append(side)
        if cloud != "portable" and self.p(0.4):
            key, val = self.pick(NODE_SELECTORS[cloud])
            spec["nodeSelector"] = {key: val}
            self.tie(cloud)
            if "spot" in key or val == "spot":
                spec["tolerations"] = [{"key": key, "operator": "Equal", "value": val, "effect": "NoSchedule"}]
        elif self.p(0.3):
            spec["nodeSelector"] = {"kubernetes.io/os": "linux"}
        if kind == "DaemonSet":
            spec["tolerations"] = [{"operator": "Exists"}]
        if kind in ("Deployment", "StatefulSet") and self.p(0.4):
            sel = {"matchLabels": {"app.kubernetes.io/name": labels["app.kubernetes.io/name"]}}
            spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"labelSelector": sel, "topologyKey": "kubernetes.io/hostname"}}]}}
        if kind == "Deployment" and self.p(0.3):
            spec["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                                  "whenUnsatisfiable": "ScheduleAnyway",
                                                  "labelSelector": {"matchLabels": dict(list(labels.items())[:1])}}]
        vols = [{"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}}, {"name": "tmp", "emptyDir": {}}]
        if claim:
            vols.append({"name": "data", "persistentVolumeClaim": {"claimName": claim}})
            main["volumeMounts"].append({"name": "data", "mountPath": "/var/lib/data"})
        if kind == "DaemonSet":
            vols.append({"name": "varlog", "hostPath": {"path": "/var/log", "type": "Directory"}})
            main["volumeMounts"].append({"name": "varlog", "mountPath": "/var/log", "readOnly": True})
        if cloud != "portable" and self.p(0.12):
            vols.append({"name": "secrets-store", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                                                          "volumeAttributes": {"secretProviderClass": f"{app}-{cloud}-secrets"}}})
            main["volumeMounts"].append({"name": "secrets-store", "mountPath": "/mnt/secrets", "readOnly": True})
            self.tie(cloud)
        spec["volumes"] = vols
        if kind in ("Job", "CronJob"):
            spec["restartPolicy"] = self.pick(["OnFailure", "Never"])
        if self.p(0.3):
            spec["terminationGracePeriodSeconds"] = self.pick([30, 60, 120])
        if self.p(0.3):
            spec["priorityClassName"] = self.pick(["high-priority", "batch-low"])
        if self.p(0.2):
            spec["imagePullSecrets"] = [{"name": "registry-credentials"}]
        if self.p(0.15):
            spec["dnsConfig"] = {"options": [{"name": "ndots", "value": "2"}, {"name": "single-request-reopen"}]}
        return spec

    # ------------------------------------------------------------ objects
    def meta(self, name, ns, labels, annotations=None):
        m = {"name": name, "namespace": ns, "labels": dict(labels)}
        if annotations:
            m["annotations"] = annotations
        return m

    def workload(self, kind, app, ns, cloud, team, labels, claim=None):
        selector = {"matchLabels": {k: labels[k] for k in list(labels)[:2]}}
        tmeta = {"labels": dict(labels), "annotations": {"checksum/config": self.hexs(64)}}
        if self.p(0.5):
            tmeta["annotations"].update({"prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/metrics"})
        if self.p(0.25):
            tmeta["annotations"].update({"vault.hashicorp.com/agent-inject": "true", "vault.hashicorp.com/role": app,
                                         "vault.hashicorp.com/agent-inject-secret-db": f"secret/data/{team}/{app}/db",
                                         "kubectl.kubernetes.io/default-container": app})
        if cloud == "azure" and self.p(0.3):
            tmeta["labels"]["azure.workload.identity/use"] = "true"
            self.tie("azure")
        top_labels = dict(labels)
        if kind in ("Deployment", "StatefulSet") and self.p(0.03):  # merge key
            top_labels = Anchor("labels", labels)
            tmeta["labels"] = {"<<": Alias("labels", labels), "version": "v1"}
            self.cur.add("documents with YAML anchors")
        template = {"metadata": tmeta, "spec": self.pod_spec(app, cloud, team, labels, kind, claim)}
        doc = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": app, "namespace": ns, "labels": top_labels}}
        if self.p(0.5):
            doc["metadata"]["annotations"] = {"description": f"{app} service of the {team} team ({kind.lower()})",
                                              "owner": f"{team}@example.com", "runbook": f"https://runbooks.example.com/{team}/{app}"}
        if kind == "Deployment":
            doc["spec"] = {"replicas": self.pick([1, 2, 2, 3, 3, 5]), "revisionHistoryLimit": 5, "selector": selector,
                           "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                           "template": template}
        elif kind == "StatefulSet":
            sc = self.pick(RWO[cloud]) if self.p(0.75) else None
            vct = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                          "resources": {"requests": {"storage": self.pick(["10Gi", "50Gi", "200Gi"])}}}}
            if sc:
                vct["spec"]["storageClassName"] = sc
                self.tie(STORAGE[sc][2])
            template["spec"]["containers"][0]["volumeMounts"].append({"name": "data", "mountPath": "/var/lib/data"})
            doc["spec"] = {"serviceName": f"{app}-headless", "replicas": self.pick([1, 3, 3, 5]), "selector": selector,
                           "podManagementPolicy": self.pick(["OrderedReady", "Parallel"]), "template": template,
                           "volumeClaimTemplates": [vct]}
        elif kind == "DaemonSet":
            doc["spec"] = {"selector": selector, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                           "template": template}
        else:
            job = {"backoffLimit": self.pick([0, 2, 6]), "ttlSecondsAfterFinished": 3600, "template": template}
            if kind == "Job":
                doc.update(apiVersion="batch/v1", spec=job)
            else:
                api = "batch/v1beta1" if self.p(0.05) else "batch/v1"
                if api != "batch/v1":
                    self.cur.add("documents with a removed apiVersion")
                doc.update(apiVersion=api, spec={"schedule": self.pick(["*/15 * * * *", "0 3 * * *", "@hourly", "30 1 * * 0"]),
                                                 "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3,
                                                 "failedJobsHistoryLimit": 1, "jobTemplate": {"spec": job}})
        return doc

    def config_map(self, app, ns, labels):
        data = {}
        size = int(self.r.lognormvariate(8.1, 0.9))  # median ~3.3 KB, long tail
        size = min(size, 60_000)
        lines = [f"# {app} settings"]
        while sum(len(x) + 1 for x in lines) < size:
            k = f"{self.pick(WORDS)}.{self.pick(['timeout', 'pool.size', 'url', 'enabled', 'retries', 'cache.ttl'])}"
            lines.append(f"{k}={self.pick(['30s', 'true', str(self.r.randint(1, 9999)), 'http://' + self.pick(WORDS) + ':8080'])}")
        data["application.properties"] = "\n".join(lines) + "\n"
        if self.p(0.4):
            data["config.json"] = json.dumps({"service": app, "features": {w: self.p(0.5) for w in self.r.sample(WORDS, 6)},
                                              "greeting": self.pick(["Hello", "Grüß Gott", "こんにちは", "¡Hola!"])}, indent=2, ensure_ascii=False) + "\n"
        if self.p(0.25):
            data["nginx.conf"] = (f"server {{\n  listen 8080;\n  location / {{\n    proxy_pass http://127.0.0.1:3000;\n"
                                  f"    proxy_set_header Host $host;\n  }}\n}}\n")
        for i in range(self.r.randint(1, 6)):
            data[f"{self.pick(WORDS)}_{self.pick(['timeout', 'url', 'enabled', 'host'])}_{i}"] = self.pick(["30", "true", "yes", "on", "1.5", "db.internal"])
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": self.meta(f"{app}-config", ns, labels), "data": data}

    def service_account(self, app, ns, cloud, labels):
        ann = {}
        if cloud == "aws" and self.p(0.6):
            ann["eks.amazonaws.com/role-arn"] = f"arn:aws:iam::{ACCOUNT}:role/{ns}-{app}"
        elif cloud == "gcp" and self.p(0.6):
            ann["iam.gke.io/gcp-service-account"] = f"{app}@{PROJECT}.iam.gserviceaccount.com"
        elif cloud == "azure" and self.p(0.6):
            ann["azure.workload.identity/client-id"] = "-".join(self.hexs(n) for n in (8, 4, 4, 4, 12))
        if ann:
            self.tie(cloud)
        doc = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": self.meta(app, ns, labels, ann)}
        if self.p(0.4):
            doc["automountServiceAccountToken"] = False
        if self.p(0.15):
            doc["imagePullSecrets"] = [{"name": "registry-credentials"}]
        return doc

    def service(self, app, ns, cloud, labels, headless=False):
        sel = {k: labels[k] for k in list(labels)[:2]}
        spec = {"type": "ClusterIP", "selector": sel, "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}
        ann = {}
        if headless:
            spec["clusterIP"] = "None"
            return {"apiVersion": "v1", "kind": "Service", "metadata": self.meta(f"{app}-headless", ns, labels), "spec": spec}
        roll = self.r.random()
        if roll < 0.2:
            spec["type"] = "LoadBalancer"
            spec["externalTrafficPolicy"] = self.pick(["Local", "Cluster"])
            if self.p(0.3):
                spec["loadBalancerSourceRanges"] = ["10.0.0.0/8", "192.168.0.0/16"]
            if cloud == "aws":
                ann = {"service.beta.kubernetes.io/aws-load-balancer-type": self.pick(["nlb", "external"]),
                       "service.beta.kubernetes.io/aws-load-balancer-scheme": self.pick(["internet-facing", "internal"]),
                       "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip"}
                if self.p(0.4):
                    ann["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/{self.hexs(8)}"
            elif cloud == "gcp":
                ann = {"networking.gke.io/load-balancer-type": "Internal", "cloud.google.com/neg": '{"ingress": true}'}
            elif cloud == "azure":
                ann = {"service.beta.kubernetes.io/azure-load-balancer-internal": "true",
                       "service.beta.kubernetes.io/azure-load-balancer-resource-group": f"rg-{ns}"}
                if self.p(0.3):
                    ann["service.beta.kubernetes.io/azure-dns-label-name"] = f"{app}-{ns}"
            elif self.p(0.3):
                ann = {"metallb.universe.tf/address-pool": "public"}
            if cloud != "portable":
                self.tie(cloud)
        elif roll < 0.23:
            spec["type"] = "NodePort"
            spec["ports"][0]["nodePort"] = self.r.randint(30000, 32767)
        if self.p(0.3):
            spec["ports"].append({"name": "metrics", "port": 9090, "targetPort": 9090})
        return {"apiVersion": "v1", "kind": "Service", "metadata": self.meta(app, ns, labels, ann or None), "spec": spec}

    def ingress(self, app, ns, cloud, team, labels):
        cls, ann = INGRESS_CLASS[cloud], {}
        if cloud == "aws":
            ann = {"alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/target-type": "ip",
                   "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
                   "alb.ingress.kubernetes.io/certificate-arn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/{self.hexs(8)}"}
        elif cloud == "gcp":
            ann = {"kubernetes.io/ingress.global-static-ip-name": f"{app}-ip", "networking.gke.io/managed-certificates": f"{app}-cert"}
        elif cloud == "azure":
            ann = {"appgw.ingress.kubernetes.io/ssl-redirect": "true", "appgw.ingress.kubernetes.io/request-timeout": "30"}
        else:
            ann = {"nginx.ingress.kubernetes.io/proxy-body-size": "8m", "cert-manager.io/cluster-issuer": "letsencrypt"}
        if cloud != "portable":
            self.tie(cloud)
        spec = {"rules": [{"host": f"{app}.{team}.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": app, "port": {"name": "http"} if self.p(0.5) else {"number": 80}}}}]}}]}
        if self.p(0.25):  # the legacy annotation instead of ingressClassName
            ann["kubernetes.io/ingress.class"] = {"azure-application-gateway": "azure/application-gateway"}.get(cls, cls)
        else:
            spec = {"ingressClassName": cls, **spec}
        if self.p(0.6):
            spec["tls"] = [{"hosts": [f"{app}.{team}.example.com"], "secretName": f"{app}-tls"}]
        return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": self.meta(app, ns, labels, ann), "spec": spec}

    def pvc(self, app, ns, cloud, labels):
        rwx = self.p(0.3)
        spec = {"accessModes": ["ReadWriteMany" if rwx else "ReadWriteOnce"],
                "resources": {"requests": {"storage": self.pick(["1Gi", "5Gi", "20Gi", "100Gi"])}}}
        if self.p(0.8):
            sc = RWX[cloud] if rwx else self.pick(RWO[cloud])
            spec["storageClassName"] = sc
            self.tie(STORAGE[sc][2])
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": self.meta(f"{app}-data", ns, labels), "spec": spec}

    def pdb(self, app, ns, labels):
        key = "app.kubernetes.io/name"
        if self.p(0.06):  # selects nothing: a typo'd label value
            sel = {"matchLabels": {key: app + "-svc"}}
            self.cur.add("PDBs selecting no pods")
        elif self.p(0.15):
            sel = {"matchExpressions": [{"key": key, "operator": "In", "values": [app]}]}
        else:
            sel = {"matchLabels": {key: app}}
        spec = {"minAvailable": 1} if self.p(0.6) else {"maxUnavailable": self.pick([1, "25%"])}
        spec["selector"] = sel
        api = "policy/v1beta1" if self.p(0.04) else "policy/v1"
        if api != "policy/v1":
            self.cur.add("documents with a removed apiVersion")
        return {"apiVersion": api, "kind": "PodDisruptionBudget", "metadata": self.meta(app, ns, labels), "spec": spec}

    def hpa(self, app, ns, labels):
        target = app if self.p(0.96) else app + "-v2"
        if target != app:
            self.cur.add("HPAs targeting a missing Deployment")
        metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": self.pick([60, 70, 80])}}}]
        if self.p(0.4):
            metrics.append({"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "512Mi"}}})
        spec = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                "minReplicas": self.pick([1, 2, 3]), "maxReplicas": self.pick([5, 10, 20]), "metrics": metrics}
        if self.p(0.4):
            spec["behavior"] = {"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}
        return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": self.meta(app, ns, labels), "spec": spec}

    def netpol(self, app, ns, labels, peers):
        key = "app.kubernetes.io/name"
        pod_sel = {"matchLabels": {key: app}} if self.p(0.9) else {"matchExpressions": [{"key": key, "operator": "In", "values": [app]}]}
        sources = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]
        if peers:
            sources.append({"podSelector": {"matchLabels": {key: self.pick(peers)}}})
        spec = {"podSelector": pod_sel, "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": sources, "ports": [{"protocol": "TCP", "port": 8080}]}],
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
                           {"to": [{"podSelector": {}}]}]}
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": self.meta(f"{app}-allow", ns, labels), "spec": spec}

    def namespace_docs(self, ns, cloud, team, env):
        labels = {"kubernetes.io/metadata.name": ns, "team": team, "environment": env,
                  "pod-security.kubernetes.io/enforce": self.pick(["restricted", "baseline"])}
        docs = [self.made({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": ns, "labels": labels, "annotations": {"owner": f"{team}@example.com"}}})]
        if self.p(0.7):
            hard = {"requests.cpu": str(self.pick([8, 16, 32])), "requests.memory": self.pick(["16Gi", "32Gi", "64Gi"]),
                    "limits.cpu": str(self.pick([16, 32, 64])), "limits.memory": self.pick(["32Gi", "64Gi", "128Gi"]),
                    "pods": str(self.pick([50, 100, 200])), "services.loadbalancers": "2", "persistentvolumeclaims": "20"}
            if self.p(0.5):
                sc = RWO[cloud][0]
                hard[f"{sc}.storageclass.storage.k8s.io/requests.storage"] = "500Gi"
                self.tie(STORAGE[sc][2])
            docs.append(self.made({"apiVersion": "v1", "kind": "ResourceQuota",
                                   "metadata": {"name": f"{ns}-quota", "namespace": ns}, "spec": {"hard": hard}}))
        if self.p(0.6):
            docs.append(self.made({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": f"{ns}-limits", "namespace": ns},
                                   "spec": {"limits": [
                                       {"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                                        "defaultRequest": {"cpu": "100m", "memory": "128Mi"}, "max": {"cpu": "4", "memory": "8Gi"}},
                                       {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "500Gi"}}]}}))
        if self.p(0.4):
            docs.append(self.made({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                   "metadata": {"name": "default-deny", "namespace": ns},
                                   "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}))
        return docs

    def app_docs(self, app, ns, cloud, team, peers):
        """All documents of one app, the workload first, as (template name, doc) pairs."""
        kind = self.r.choices(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"], [56, 12, 5, 9, 18])[0]
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": f"{app}-{ns}",
                  "app.kubernetes.io/part-of": team, "app.kubernetes.io/version": f"{self.r.randint(1, 9)}.{self.r.randint(0, 20)}.0"}
        if self.p(0.2):
            labels = {"app": app, "tier": self.pick(["frontend", "backend", "data"]), **labels}
        out = []
        add = lambda name, doc: out.append((name, self.made(doc)))
        claim = f"{app}-data" if kind == "Deployment" and self.p(0.2) else None
        add(kind.lower(), self.workload(kind, app, ns, cloud, team, labels, claim))
        if self.p(0.85 if kind not in ("Job", "CronJob") else 0.6):
            add("serviceaccount", self.service_account(app, ns, cloud, labels))
        if self.p(0.7):
            add("configmap", self.config_map(app, ns, labels))
        if claim:
            add("pvc", self.pvc(app, ns, cloud, labels))
        if kind == "StatefulSet":
            add("service-headless", self.service(app, ns, cloud, labels, headless=True))
        if kind == "Deployment" or (kind == "StatefulSet" and self.p(0.5)) or (kind == "DaemonSet" and self.p(0.2)):
            add("service", self.service(app, ns, cloud, labels))
            if kind == "Deployment" and self.p(0.35):
                add("ingress", self.ingress(app, ns, cloud, team, labels))
        if kind in ("Deployment", "StatefulSet") and self.p(0.6):
            add("pdb", self.pdb(app, ns, labels))
        if kind == "Deployment" and self.p(0.45):
            add("hpa", self.hpa(app, ns, labels))
        if self.p(0.6 if kind in ("Deployment", "StatefulSet") else 0.25):
            add("networkpolicy", self.netpol(app, ns, labels, peers))
        return out

    def storage_classes(self, cloud):
        names = [n for n, v in STORAGE.items() if v[2] == cloud] + ["local-path", "nfs-csi"] * (cloud != "portable")
        docs = []
        for i, name in enumerate(names):
            prov, params, sc_cloud = STORAGE[name]
            meta = {"name": name}
            if i == 0:
                meta["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
            doc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta, "provisioner": prov}
            if params:
                doc["parameters"] = dict(params)
            doc.update(reclaimPolicy="Delete", volumeBindingMode="WaitForFirstConsumer", allowVolumeExpansion=True)
            self.tie(sc_cloud)
            docs.append(self.made(doc))
        return docs


# ---------------------------------------------------------------- layout


def build(n, seed):
    """Returns (files, gen); files: [(relative path, [(comment or None, doc), ...], style)]."""
    g = Gen(seed)
    n_ns = max(1, round(n / 50))
    n_clusters = min(n_ns, max(4, round(n_ns / 50)))  # at least one per cloud flavour
    files, left = [], n
    for ci in range(n_clusters):
        cloud = CLOUDS[ci % 4]
        cluster = {"aws": "eks", "gcp": "gke", "azure": "aks", "portable": "onprem"}[cloud] + f"-{ci // 4 + 1:02d}"
        first_ns = ci * n_ns // n_clusters
        for nsi in range(first_ns, (ci + 1) * n_ns // n_clusters):
            budget = left // (n_ns - nsi)  # the budgets add up to exactly n
            left -= budget
            team, env = TEAMS[nsi % len(TEAMS)], ["prod", "staging", "dev"][nsi % 3]
            ns = f"{team}-{env}-{nsi:03d}"
            ns_cloud = cloud if g.p(0.75) else "portable"
            if nsi == first_ns and budget > 1:
                scs = g.storage_classes(cloud)[: budget - 1]
                files.append((f"{cluster}/_cluster/storageclasses.yaml", [(None, d) for d in scs], g.style()))
                budget -= len(scs)
            base = g.namespace_docs(ns, ns_cloud, team, env)[:budget]
            files.append((f"{cluster}/{ns}/namespace.yaml", [(None, d) for d in base], g.style()))
            budget -= len(base)
            apps = []
            while budget > 0:
                helm = g.p(0.25)  # `helm template` output of one chart, else 1-3 apps per file
                group, first = [], len(apps)
                for _ in range(g.pick([1, 2, 3, 3] if helm else [2, 3, 4, 4])):
                    if budget <= 0:
                        break
                    app = g.pick(WORDS)
                    app = app if app not in apps else f"{app}-{len(apps)}"
                    apps.append(app)
                    docs = g.app_docs(app, ns, ns_cloud, team, apps[:-1])[:budget]
                    budget -= len(docs)
                    for tmpl, doc in docs:
                        if helm:
                            labels = doc["metadata"]["labels"]
                            labels = labels.value if isinstance(labels, Anchor) else labels
                            labels.update({"helm.sh/chart": f"{app}-1.{len(apps)}.0", "app.kubernetes.io/managed-by": "Helm"})
                        chart = apps[first] + ("" if app == apps[first] else f"/charts/{app}")  # umbrella chart + subcharts
                        group.append((f"# Source: {chart}/templates/{tmpl}.yaml" if helm else None, doc))
                stem = f"{apps[first]}-rendered" if helm else apps[first] + ("-stack" if len(apps) - first > 1 else "")
                ext = ".yml" if g.p(0.1) else ".yaml"
                style = dict(g.style(), helm=helm)
                for entry in list(group):  # a few objects live alone in .json files
                    doc = entry[1]
                    if not helm and doc["kind"] in ("ConfigMap", "Service") and g.p(0.03):
                        files.append((f"{cluster}/{ns}/{doc['kind'].lower()}-{doc['metadata']['name']}.json", [entry], {"json": True}))
                        group.remove(entry)
                files.append((f"{cluster}/{ns}/{stem}{ext}", group, style))
    return [f for f in files if f[1]], g


def render(entries, st):
    if st.get("json"):
        return json.dumps(plain(entries[0][1]), indent=2, ensure_ascii=False) + "\n"
    parts = []
    for i, (comment, doc) in enumerate(entries):
        text = to_yaml(doc, st)
        if comment:
            text = comment + "\n" + text
        if i > 0 or st.get("lead") or st.get("helm"):
            text = "---\n" + text
        parts.append(text)
    return "".join(parts)


def main(argv):
    args, seed = list(argv), 0
    if "--seed" in args and args.index("--seed") + 1 < len(args):
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2 or not args[0].isdigit() or int(args[0]) < 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    n, out = int(args[0]), Path(args[1])
    if out.exists() and any(out.iterdir()):
        print(f"gen_corpus: {out} is not empty", file=sys.stderr)
        return 2
    files, g = build(n, seed)
    kinds, facts, exts, total, helm = Counter(), Counter(), Counter(), 0, 0
    for rel, entries, st in files:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = render(entries, st).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
        exts[path.suffix] += 1
        helm += bool(st.get("helm"))
        for _, doc in entries:
            kinds[doc["kind"]] += 1
            facts.update(g.facts[id(doc)])
    docs = sum(kinds.values())
    assert docs == n, (docs, n)
    lines = [f"# synthetic Kubernetes corpus: gen_corpus.py {n} OUTDIR --seed {seed}",
             f"documents {n}", f"files {len(files)} ({', '.join(f'{e} {c}' for e, c in sorted(exts.items()))})",
             f"bytes {total} ({total // n} per document, {n / len(files):.1f} documents per file)",
             f"namespaces {max(1, round(n / 50))}", f"helm-rendered files {helm}", "",
             "fact count (documents)"] + [f"{k}: {v}" for k, v in sorted(facts.items())]
    lines += ["", "kind count"] + [f"{k}: {v}" for k, v in sorted(kinds.items())]
    (out / "CORPUS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"gen_corpus: {n} documents in {len(files)} files, {total} bytes -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
