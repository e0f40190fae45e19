"""Schema validation cost next to the parse cost, on a generated corpus.

Usage::

    python /work/shared/tools/gen_corpus.py 10000 /tmp/c10k-schema     # once
    .venv/bin/python benchmarks/bench_validate.py /tmp/c10k-schema [--k8s-version 1.35] [--strict] [--baseline]

Prints, in seconds (best of ``--repeat`` runs, one process, garbage collector off as in the CLI):

- ``parse``: reading and parsing every file and building the inventory (the floor of any run);
- ``validate (cold)``: the first pass over every object with a fresh catalog, including reading
  ``_definitions.json`` and the kind files and compiling the validators;
- ``validate (warm)``: the same pass again (validators cached, as for the second and later kinds);
- ``KP002 rule``: the ``rules`` stage of ``kportable lint --select KP002`` (findings included);
- ``jsonschema only``: with ``--baseline``, the same objects through jsonschema's validator
  without the compiled fast path, to show what the fast path saves;
- the number of bundled schema files the run read (laziness: a run reads only what it uses).

The issue's budget: validation must cost no more than the parse.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from kportable.api import RunOptions, build_inventory, read_all, run
from kportable.inventory import Inventory
from kportable.k8s_versions import parse_version
from kportable.sources import expand
from kportable.validate import SchemaCatalog, loaded_schema_files


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("--k8s-version", default="1.35")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="also time jsonschema without the fast path")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gc.disable()
    version = parse_version(args.k8s_version)

    items, _ = expand((args.corpus,))
    inventories: list[Inventory] = []

    def parse() -> None:
        sources = read_all(items, RunOptions(jobs=1))
        inventories.append(build_inventory(sources, [], "default")[0])

    t_parse = best(args.repeat, parse)
    inventory = inventories[-1]
    resources = inventory.resources

    def validate(catalog: SchemaCatalog) -> int:
        return sum(len(catalog.problems(r)) for r in resources)

    start = time.perf_counter()
    catalog = SchemaCatalog(version, strict=args.strict, crds=inventory.of_kind("CustomResourceDefinition"))
    problems = validate(catalog)
    t_cold = time.perf_counter() - start
    t_warm = best(args.repeat, lambda: validate(catalog))
    files_read = len(loaded_schema_files())

    rule_times = []
    findings = 0
    for _ in range(args.repeat):
        result = run(RunOptions(paths=(args.corpus,), select=("KP002",), k8s_version=args.k8s_version,
                                schema_strict=args.strict, jobs=1))
        rule_times.append(result.seconds["rules"])
        findings = len(result.findings)
    t_rules = min(rule_times)

    print(f"corpus: {args.corpus}: {len(resources)} objects, Kubernetes {version}{' strict' if args.strict else ''}")
    print(f"parse             {t_parse:7.3f} s")
    print(f"validate (cold)   {t_cold:7.3f} s   ({problems} problems)")
    print(f"validate (warm)   {t_warm:7.3f} s   ({t_warm / t_parse:.0%} of parse)")
    print(f"KP002 rule        {t_rules:7.3f} s   ({findings} findings)")
    if args.baseline:
        def slow() -> None:
            for r in resources:
                found = catalog.lookup(r.api_version, r.kind)
                if found.validator is not None:
                    found.validator.jsonschema_valid(r.data)

        print(f"jsonschema only   {best(1, slow):7.3f} s")
    print(f"schema files read {files_read}")


if __name__ == "__main__":
    main()
