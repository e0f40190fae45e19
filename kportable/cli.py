"""The ``kportable`` command. The only module that prints reports or exits.

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage or configuration error
  3  internal error: a rule crashed or a plugin failed to load (the other findings are still shown)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__

if TYPE_CHECKING:
    from .api import RunOptions, RunResult
    from .plugins.manager import Registry
    from .report.base import ReportOptions

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
ISSUES_URL = "https://github.com/kportable/kportable/issues"

EXIT_HELP = """
\b
Exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on
  2  usage or configuration error
  3  internal error (a rule crashed or a plugin failed); other findings are still reported
"""

SEVERITIES = ("blocker", "major", "minor", "info")


def _split(values: Sequence[str]) -> tuple[str, ...]:
    """``--select A,B --select C`` -> ("A", "B", "C")."""
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def _use_color(no_color: bool, output: str | None) -> bool:
    if no_color or os.environ.get("NO_COLOR") or output:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"kportable: error: {message}", err=True)
    sys.exit(code)


def _registry() -> Registry:
    from .plugins.manager import get_registry

    return get_registry()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="kportable")
def main() -> None:
    """kportable: find what ties your Kubernetes manifests to EKS, GKE or AKS, and what makes
    them fragile on any cluster; score every workload per cloud.

    \b
    Start with:
      kportable lint k8s/                 lint a directory of manifests
      helm template my ./chart | kportable lint -
      kportable rules                     list the rules
      kportable explain KP101             read a rule's documentation
      kportable score k8s/                score every workload per cloud
    """


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", default="text", show_default=True, metavar="NAME",
              help="Output format: text, json (and any a plugin adds; see `kportable formats`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of stdout.")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rules: ids, slugs or id prefixes (KP1), comma-separated, repeatable. "
                   "Rules that are off by default need their exact id or slug.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (ids, slugs, prefixes).")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), default="minor",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("-n", "--namespace", default="default", show_default=True,
              help="Namespace of objects that do not set metadata.namespace (as `kubectl apply -n`).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files and directories matching this glob (repeatable), e.g. 'charts/*/templates'.")
@click.option("--context", "context_paths", multiple=True, metavar="PATH",
              help="Also read these manifests for cross-resource rules (NetworkPolicies, PDBs, quotas) "
                   "without reporting on them. Useful with pre-commit, which passes only changed files.")
@click.option("--cloud", "--target", "targets", multiple=True, metavar="ID",
              help="Target clouds to score and report ties for (eks, gke, aks; repeatable). Default: all.")
@click.option("-j", "--jobs", type=int, default=None, metavar="N",
              help="Parse files in N processes (default: the number of CPUs; 1 disables).")
@click.option("--max-file-size", type=int, default=None, metavar="BYTES",
              help="Skip (and report) files larger than this. Default: 16 MiB.")
@click.option("--stdin-filename", default="<stdin>", show_default=True,
              help="The name findings use for input read from '-'.")
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR is honoured too).")
@click.option("-q", "--quiet", is_flag=True, help="Only the finding lines and the summary.")
@click.option("-v", "--verbose", count=True, help="Show suppressed findings and timings (-vv: tracebacks).")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for internal errors.")
def lint(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    namespace: str,
    exclude: tuple[str, ...],
    context_paths: tuple[str, ...],
    targets: tuple[str, ...],
    jobs: int | None,
    max_file_size: int | None,
    stdin_filename: str,
    no_color: bool,
    quiet: bool,
    verbose: int,
    debug: bool,
) -> None:
    """Lint manifests: files, directories (recursive) or '-' for stdin.

    Reads YAML and JSON (multi-document streams, kind: List, `helm template` and
    `kustomize build` output), reports every finding with its file, line and the portable
    alternative.
    """
    from .api import RunOptions
    from .findings import Severity
    from .load import DEFAULT_MAX_BYTES

    if jobs is not None and jobs < 1:
        raise click.BadParameter("must be at least 1", param_hint="--jobs")
    options = RunOptions(
        paths=paths,
        context_paths=context_paths,
        select=_split(select) or None,
        ignore=_split(ignore),
        fail_on=Severity.parse(fail_on),
        namespace=namespace,
        exclude=exclude,
        jobs=jobs if jobs is not None else (os.cpu_count() or 1),
        max_file_size=max_file_size or DEFAULT_MAX_BYTES,
        targets=_split(targets),
        stdin_name=stdin_filename,
    )
    from .report.base import ReportOptions

    report = ReportOptions(
        color=_use_color(no_color, output),
        verbose=verbose,
        quiet=quiet,
        width=_width(),
    )
    sys.exit(_run_and_report(options, report, fmt, output, debug or verbose >= 2))


def _width() -> int:
    try:
        return max(80, min(os.get_terminal_size().columns, 200))
    except OSError:
        return 120


def _run_and_report(options: RunOptions, report: ReportOptions, fmt: str, output: str | None, debug: bool) -> int:
    import gc

    from .api import run
    from .errors import UserError

    gc.disable()  # a short-lived process holding millions of acyclic objects: collection only costs time

    registry = _registry()
    formatter = registry.formats.get(fmt)
    if formatter is None:
        _fail(f"unknown --format {fmt!r}; choose one of {', '.join(registry.formats)}")
    try:
        result = run(options, registry)
        text = formatter.render(result, report)
    except UserError as exc:
        _fail(exc.message)
    except Exception as exc:
        if debug:
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc}\n"
            f"kportable {__version__}, Python {sys.version.split()[0]}. Re-run with --debug for the traceback "
            f"and report it at {ISSUES_URL}",
            EXIT_INTERNAL,
        )
    _emit(text, output)
    return exit_code(result)


def _emit(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def exit_code(result: RunResult) -> int:
    """0, 1 or 3 for a completed run (see the module docstring)."""
    if result.internal_error:
        for crash in result.crashes:
            click.echo(
                f"kportable: error: rule {crash.rule_id} of plugin {crash.plugin!r} crashed on {crash.obj}: "
                f"{crash.error}", err=True)
        for err in result.registry.errors:
            click.echo(f"kportable: error: {err.message}", err=True)
        return EXIT_INTERNAL
    return EXIT_FINDINGS if result.failed() else EXIT_OK


# --------------------------------------------------------------------------- score (cloud portability matrix)


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A rich table (rows: workloads, columns: targets) or JSON.")
@click.option("--explain", "explain_workload", default=None, metavar="WORKLOAD",
              help="Show which findings cost a workload how many points on each target. WORKLOAD is "
                   "Kind/namespace/name, namespace/name, Kind/name or name.")
@click.option("--cloud", "--target", "targets", multiple=True, metavar="ID",
              help="Score only these clouds (eks, gke, aks; repeatable); `portable` is always scored.")
@click.option("--min-score", type=click.IntRange(0, 100), default=None, metavar="N",
              help="Exit 1 when any workload scores below N on a scored target.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (ids, slugs or id prefixes).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (ids, slugs, prefixes).")
@click.option("-n", "--namespace", default="default", show_default=True,
              help="Namespace of objects that do not set metadata.namespace.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching this glob.")
@click.option("--context", "context_paths", multiple=True, metavar="PATH",
              help="Also read these manifests for the workload graph without scoring their workloads.")
@click.option("-j", "--jobs", type=int, default=None, metavar="N", help="Parse files in N processes.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for internal errors.")
def score(
    paths: tuple[str, ...],
    fmt: str,
    explain_workload: str | None,
    targets: tuple[str, ...],
    min_score: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    namespace: str,
    exclude: tuple[str, ...],
    context_paths: tuple[str, ...],
    jobs: int | None,
    no_color: bool,
    debug: bool,
) -> None:
    """Score every workload 0-100 per target cloud and `portable` (any conformant cluster).

    A tie to one cloud lowers every other target; a hygiene finding lowers all of them. Findings
    on a workload's Services, Ingresses, ServiceAccount, PVCs and StorageClasses count against
    it. The formula is in docs/scoring.md.
    """
    from .api import RunOptions, run
    from .errors import UserError
    from .report.base import ReportOptions
    from .report.scores import find_workloads, render_explain, render_score

    if jobs is not None and jobs < 1:
        raise click.BadParameter("must be at least 1", param_hint="--jobs")
    options = RunOptions(
        paths=paths, context_paths=context_paths, select=_split(select) or None, ignore=_split(ignore),
        namespace=namespace, exclude=exclude, jobs=jobs if jobs is not None else (os.cpu_count() or 1),
        targets=_split(targets),
    )
    report = ReportOptions(color=_use_color(no_color, None), width=_width())
    try:
        result = run(options, _registry())
    except UserError as exc:
        _fail(exc.message)
    except Exception as exc:
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
    if explain_workload is not None:
        chosen = find_workloads(result.scores, explain_workload)
        if not chosen:
            known = ", ".join(f"{s.workload.kind}/{s.workload.namespace}/{s.workload.name}" for s in result.scores[:5])
            _fail(f"--explain: no workload matches {explain_workload!r}" + (f" (e.g. {known})" if known else ""))
        _emit(render_explain(result, chosen, report), None)
    else:
        _emit(render_score(result, report, fmt), None)
    code = exit_code(result)
    if code == EXIT_INTERNAL:
        sys.exit(code)
    below = min_score is not None and any(v < min_score for s in result.scores for v in s.scores.values())
    sys.exit(EXIT_FINDINGS if below else EXIT_OK)


@main.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list rules that are off by default (marked).")
def rules(fmt: str, show_all: bool) -> None:
    """List the rules: id, slug, severity, clouds and the plugin that provides them."""
    from .report.catalog import render_rules

    registry = _registry()
    click.echo(render_rules(registry, fmt, color=_use_color(False, None)), nl=False)
    sys.exit(EXIT_INTERNAL if registry.errors else EXIT_OK)


@main.command()
@click.argument("rule_name", metavar="RULE")
def explain(rule_name: str) -> None:
    """Show a rule's documentation: what it does, why, examples, options and clouds."""
    from .report.catalog import render_explain

    registry = _registry()
    spec = registry.rule(rule_name)
    if spec is None:
        _fail(f"no rule named {rule_name!r}; see `kportable rules`")
    click.echo(render_explain(spec, color=_use_color(False, None)), nl=False)


@main.command()
def plugins() -> None:
    """List installed plugins, their versions, what each registers, and load errors."""
    from .report.catalog import render_plugins

    registry = _registry()
    click.echo(render_plugins(registry, color=_use_color(False, None)), nl=False)
    sys.exit(EXIT_INTERNAL if registry.errors else EXIT_OK)


@main.command()
def formats() -> None:
    """List the output formats available to `lint --format`."""
    registry = _registry()
    for name, fmt in registry.formats.items():
        click.echo(f"{name:<10} {fmt.help}  [{fmt.plugin}]")

