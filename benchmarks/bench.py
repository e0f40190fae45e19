#!/usr/bin/env python3
"""Throughput benchmark: the whole kportable pipeline against the libyaml compose floor.

For each size (default 1k, 10k and 50k documents) it generates a corpus with ``gen_corpus.py``
(cached under the temp dir), then runs, each in a fresh subprocess so peak RSS is not polluted:

- the floor: ``yaml.compose_all`` with ``CSafeLoader`` over the same files, already in memory,
  GC disabled (libyaml speed with line numbers; what any position-keeping linter must pay);
- kportable: ``kportable.api.run`` with the full default rule set (as the CLI would: GC off),
  then every registered output format, JSON first (the target format).

It prints docs/s, the ratio to the floor, peak RSS, the time split by stage (from
``RunOptions(timings=True)``: expand, read, parse, graph, rules, score when present, then each
report), the slowest rules, the 50k/10k growth, and checks the targets:
``floor / (run + JSON) >= 0.5`` at 10k, ``t(50k) / t(10k) <= 5.5``, peak RSS <= 400 MB at 10k.
Exit status 1 when a target is missed (``--no-check`` to only report).

    python benchmarks/bench.py                       # 1k, 10k, 50k; --jobs 1
    python benchmarks/bench.py --sizes 10000 --repeat 3 --jobs 1,2 --json out.json

Absolute times vary between machines and with load: compare with the floor measured in the
same run, and use ``--repeat`` (best of N, floor and kportable interleaved) on a busy machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 0.5
TARGET_GROWTH = 5.5
TARGET_RSS_MB = 400.0
STAGE_ORDER = ("setup", "expand", "read", "parse", "read+parse", "read+parse (workers)", "graph", "rules", "score")


# --------------------------------------------------------------------------- corpus


def corpus(n: int, seed: int, cache: Path) -> Path:
    """The generated corpus of ``n`` documents, made once and reused (gen_corpus is deterministic)."""
    target = cache / f"corpus-{n}-seed{seed}"
    if (target / "CORPUS.txt").is_file():
        return target
    tmp = cache / f"corpus-{n}-seed{seed}.tmp{os.getpid()}"
    cache.mkdir(parents=True, exist_ok=True)
    print(f"generating {n:,} documents into {target} ...", file=sys.stderr)
    subprocess.run(
        [sys.executable, str(HERE / "gen_corpus.py"), str(n), str(tmp), "--seed", str(seed)],
        check=True, stdout=subprocess.DEVNULL,
    )
    tmp.rename(target)
    return target


# --------------------------------------------------------------------------- children


def _peak_mb() -> dict[str, float]:
    """Peak RSS of this process and of its (worker) children, in MB (Linux reports KiB)."""
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # macOS reports bytes
    return {
        "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / divisor,
        "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / divisor,
    }


def child_floor(directory: str) -> dict[str, Any]:
    import yaml

    from kportable.sources import expand

    items, _ = expand([directory])
    texts = [Path(i.path).read_bytes().decode("utf-8-sig") for i in items if i.path is not None]
    gc.disable()
    start = time.perf_counter()
    documents = 0
    for text in texts:
        for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            documents += 1
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "documents": documents, "files": len(texts), "bytes": sum(map(len, texts))}


def child_kportable(directory: str, jobs: int, formats: bool) -> dict[str, Any]:
    gc.disable()  # as the CLI does
    start = time.perf_counter()
    from kportable.api import RunOptions, run
    from kportable.plugins.manager import get_registry
    from kportable.report.base import ReportOptions

    imported = time.perf_counter()
    registry = get_registry()
    setup = time.perf_counter() - imported
    start_run = time.perf_counter()
    result = run(RunOptions(paths=(directory,), jobs=jobs, timings=True), registry)
    run_seconds = time.perf_counter() - start_run
    report_options = ReportOptions()
    reports: dict[str, float] = {}
    sizes: dict[str, int] = {}
    names = ["json", *sorted(n for n in registry.formats if n != "json")] if formats else ["json"]
    rss: dict[str, dict[str, float]] = {"run": _peak_mb()}
    for name in names:
        fmt = registry.formats.get(name)
        if fmt is None:
            continue
        begin = time.perf_counter()
        text = fmt.render(result, report_options)
        reports[name] = time.perf_counter() - begin
        sizes[name] = len(text)
        del text
        if name == "json":
            rss["json"] = _peak_mb()
    rss["all"] = _peak_mb()
    stages = {k: v for k, v in result.seconds.items() if not k.startswith("rule:")}
    if "parse" in stages or "read+parse (workers)" in stages:
        stages.pop("read+parse", None)  # the total of the finer split
    rules = sorted(((k[5:], v) for k, v in result.seconds.items() if k.startswith("rule:")), key=lambda kv: -kv[1])
    return {
        "import": imported - start,
        "setup": setup,
        "run": run_seconds,
        "stages": stages,
        "rules": rules,
        "reports": reports,
        "report_bytes": sizes,
        "rss_mb": rss,
        "documents": result.stats.documents,
        "resources": result.stats.resources,
        "workloads": result.stats.workloads,
        "findings": len(result.findings),
        "rule_count": len(result.rules),
        "crashes": len(result.crashes),
    }


def spawn(*args: str) -> dict[str, Any]:
    """Run this script as a child and return the JSON it prints."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        check=True, capture_output=True, text=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


# --------------------------------------------------------------------------- report


def best(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return min(runs, key=lambda r: r[key])


def measure(n: int, directory: Path, jobs_list: list[int], repeat: int, formats: bool) -> dict[str, Any]:
    floors: list[dict[str, Any]] = []
    kps: dict[int, list[dict[str, Any]]] = {j: [] for j in jobs_list}
    for _ in range(repeat):  # interleaved, so load on a shared machine hits both alike
        floors.append(spawn("floor", str(directory)))
        for jobs in jobs_list:
            kps[jobs].append(spawn("kportable", str(directory), str(jobs), "1" if formats else "0"))
    floor = best(floors, "seconds")
    out: dict[str, Any] = {"size": n, "directory": str(directory), "floor": floor, "kportable": {}}
    for jobs, runs in kps.items():
        for r in runs:
            r["total"] = r["run"] + r["reports"]["json"]
        out["kportable"][str(jobs)] = best(runs, "total")
    return out


def print_size(m: dict[str, Any]) -> None:
    floor = m["floor"]
    docs = floor["documents"]
    print(f"\n== {m['size']:,} documents: {floor['files']:,} files, {floor['bytes'] / 1e6:.1f} MB ==")
    print(f"compose floor (CSafeLoader, in memory, GC off): {floor['seconds']:.3f} s = "
          f"{docs / floor['seconds']:,.0f} docs/s")
    for jobs, k in m["kportable"].items():
        total = k["total"]
        print(f"kportable --jobs {jobs}: run {k['run']:.3f} s + JSON {k['reports']['json']:.3f} s = {total:.3f} s "
              f"= {docs / total:,.0f} docs/s; floor/kportable = {floor['seconds'] / total:.2f}x; "
              f"peak RSS {k['rss_mb']['json']['self']:.0f} MB"
              + (f" (workers {k['rss_mb']['json']['children']:.0f} MB)" if k["rss_mb"]["json"]["children"] else ""))
        print(f"  {k['rule_count']} rules, {k['resources']:,} resources, {k['workloads']:,} workloads, "
              f"{k['findings']:,} findings, {k['crashes']} crashes; import {k['import']:.3f} s, "
              f"plugins {k['setup']:.3f} s (not in the total)")
        stages = dict(k["stages"])
        order = [s for s in STAGE_ORDER if s in stages] + sorted(s for s in stages if s not in STAGE_ORDER)
        parts = [f"{s} {stages[s]:.3f}" for s in order]
        parts += [f"report:{name} {secs:.3f}" for name, secs in k["reports"].items()]
        print("  stages (s): " + ", ".join(parts))
        if k["rules"]:
            print("  slowest rules (s): " + ", ".join(f"{rid} {secs:.3f}" for rid, secs in k["rules"][:6]))
        if len(k["reports"]) > 1:
            print(f"  peak RSS after every format: {k['rss_mb']['all']['self']:.0f} MB")


def check(results: list[dict[str, Any]], jobs: str) -> list[str]:
    """The targets that failed, as sentences (empty: all met)."""
    by_size = {r["size"]: r for r in results}
    failures: list[str] = []
    lines: list[str] = []
    ten = by_size.get(10_000)
    if ten is not None:
        k = ten["kportable"][jobs]
        ratio = ten["floor"]["seconds"] / k["total"]
        rss = k["rss_mb"]["json"]["self"]
        lines.append(f"ratio to floor at 10k: {ratio:.2f} (target >= {TARGET_RATIO})")
        lines.append(f"peak RSS at 10k: {rss:.0f} MB (target <= {TARGET_RSS_MB:.0f})")
        if ratio < TARGET_RATIO:
            failures.append(lines[-2])
        if rss > TARGET_RSS_MB:
            failures.append(lines[-1])
        fifty = by_size.get(50_000)
        if fifty is not None:
            growth = fifty["kportable"][jobs]["total"] / k["total"]
            lines.append(f"time 50k / 10k: {growth:.2f}x (target <= {TARGET_GROWTH})")
            if growth > TARGET_GROWTH:
                failures.append(lines[-1])
    print(f"\n== targets (--jobs {jobs}) ==")
    for line in lines:
        print(("FAIL " if line in failures else "ok   ") + line)
    if not lines:
        print("(the targets are defined at 10k and 50k documents)")
    return failures


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        mode, directory, *rest = argv[1:]
        data = child_floor(directory) if mode == "floor" else child_kportable(directory, int(rest[0]), rest[1] == "1")
        print(json.dumps(data))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated document counts")
    parser.add_argument("--jobs", default="1", help="comma-separated --jobs values (targets use the first)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kportable-bench",
                        help="where generated corpora are kept")
    parser.add_argument("--json-only", dest="formats", action="store_false",
                        help="render only the JSON report (default: every registered format)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    parser.add_argument("--no-check", action="store_true", help="report only; exit 0 even when a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    jobs_list = [int(j) for j in args.jobs.split(",") if j.strip()]
    results = []
    for n in sizes:
        results.append(measure(n, corpus(n, args.seed, args.cache), jobs_list, max(1, args.repeat), args.formats))
        print_size(results[-1])
    if len(jobs_list) > 1:
        print("\n== parallel speed-up (run + JSON) ==")
        for r in results:
            base = r["kportable"][str(jobs_list[0])]["total"]
            print(f"{r['size']:>7,} docs: " + ", ".join(
                f"--jobs {j}: {base / r['kportable'][str(j)]['total']:.2f}x" for j in jobs_list[1:]))
    failures = check(results, str(jobs_list[0]))
    if args.json:
        args.json.write_text(json.dumps({"python": sys.version, "results": results}, indent=1) + "\n")
    return 1 if failures and not args.no_check else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
