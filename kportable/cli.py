"""The ``kportable`` command. The only module that prints reports or exits.

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on, or a workload under --min-score
  2  usage or configuration error
  3  internal error: a rule crashed or a plugin failed to load (the other findings are still shown)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .assume import ASSUMPTIONS

if TYPE_CHECKING:
    from .api import RunOptions, RunResult
    from .config import Config
    from .plugins.manager import Registry
    from .report.base import ReportOptions

from .gates import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE

ISSUES_URL = "https://github.com/kportable/kportable/issues"

EXIT_HELP = """
\b
Exit codes:
  0  nothing at or above --fail-on (suppressed and baselined findings do not count)
  1  findings at or above --fail-on, or a workload scoring under --min-score
  2  usage or configuration error
  3  internal error (a rule crashed or a plugin failed); other findings are still reported
"""


def _epilog(examples: str, exits: str) -> str:
    """A command's help epilog: examples, then exit codes (``\\b`` keeps click from re-wrapping them)."""
    return f"\b\nExamples:\n{examples.strip(chr(10))}\n\n{exits.strip(chr(10))}\n"


LINT_EPILOG = _epilog("""
  kportable lint k8s/                                 a directory, recursively
  kportable lint ./chart -f values-aws.yaml           a Helm chart, rendered with these values
  kportable lint ./chart --values-profile aws=values-aws.yaml --values-profile gcp=values-gcp.yaml
  helm template shop ./chart | kportable lint - --chart-dir ./chart
  kportable lint k8s/ --cloud eks --cloud gke         ties that matter when moving to EKS or GKE
  kportable lint k8s/ --select KP2,KP3 --fail-on major
  kportable lint k8s/ -f sarif -o kportable.sarif     for GitHub code scanning
  kportable lint k8s/ --baseline .kportable-baseline.json   fail on new findings only
""", EXIT_HELP)

SCORE_EPILOG = _epilog("""
  kportable score k8s/                                the matrix: workloads x targets
  kportable score k8s/ --explain shop/web             what each lost point is for
  kportable score k8s/ --cloud gke --min-score 80     a gate for a move to GKE
""", """
\b
Exit codes:
  0  every workload at or above --min-score (or no --min-score given)
  1  a workload under --min-score on a scored target
  2  usage or configuration error
  3  internal error (a rule crashed or a plugin failed)
""")

PORT_EPILOG = _epilog("""
  kportable port k8s/ --from eks --out portable/ --dry-run   show what would move where
  kportable port k8s/ --from eks --out portable/ --verify    write, then build and check every overlay
  kportable port k8s/ --from gke --to aks --out portable/    only the GKE and AKS overlays
""", """
\b
Exit codes:
  0  written (or planned, with --dry-run); with --verify, every overlay checks out
  1  --verify found an overlay that does not build or check out
  2  usage error: unknown cloud, an --out directory that is not empty (see --force)
  3  internal error
""")

CATALOG_EXITS = """
\b
Exit codes:
  0  done
  2  usage error (an unknown rule or plugin name)
  3  a plugin failed to load (what loaded is still listed; the error is on stderr)
"""

RULES_EPILOG = _epilog("""
  kportable rules                                     every rule, and whether lint runs it
  kportable rules --select KP3                        what --select KP3 would run
  kportable rules --plugin core -f markdown           the docs/rules.md index
""", CATALOG_EXITS)

EXPLAIN_EPILOG = _epilog("""
  kportable explain KP101
  kportable explain cloud-storage-class-reference     by slug
  kportable explain KP304 -f markdown                 the page's Markdown source
""", CATALOG_EXITS)

PLUGINS_EPILOG = _epilog("""
  kportable plugins
  kportable plugins -f json
""", CATALOG_EXITS)

FORMATS_EPILOG = _epilog("""
  kportable formats
  kportable lint k8s/ -f markdown -o comment.md       a pull-request comment with the score matrix
""", """
\b
Exit codes:
  0  listed
""")

INIT_EPILOG = _epilog("""
  kportable init                                      .kportable.yaml in the working directory
  kportable init --dir deploy/                        next to the manifests
""", """
\b
Exit codes:
  0  written
  2  the file exists (use --force) or the directory does not
""")


class SectionedCommand(click.Command):
    """A command whose ``--help`` lists its options under headings.

    ``sections`` is ``(heading, parameter names)`` in display order; an option no section names
    is listed under "Other options" (``tests/test_cli_help.py`` keeps that list empty).
    """

    def __init__(self, *args: Any, sections: Sequence[tuple[str, Sequence[str]]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = tuple((title, tuple(names)) for title, names in sections)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        help_option = self.get_help_option(ctx)
        records = {("help" if p is help_option else p.name): p.get_help_record(ctx)
                   for p in self.get_params(ctx) if isinstance(p, click.Option)}
        placed: set[str | None] = set()
        for title, names in self.sections:
            rows = [record for name in names if (record := records.get(name)) is not None]
            placed.update(names)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [record for name, record in records.items() if name not in placed and record is not None]
        if rest:
            with formatter.section("Other options"):
                formatter.write_dl(rest)


LINT_SECTIONS = (
    ("Input", ("namespace", "exclude", "context_paths", "stdin_filename", "max_file_size", "jobs")),
    ("Helm and kustomize", ("values_files", "set_values", "set_strings", "release", "values_profiles", "helm_backend",
                            "helm_bin", "chart_dirs", "profiles", "no_build", "charts_of_files",
                            "kustomize_bin")),
    ("Rules and targets", ("select", "ignore", "targets", "assume", "k8s_version", "schema_strict", "schema_dirs")),
    ("When to fail (exit 1)", ("fail_on", "min_score", "baseline_path", "write_baseline")),
    ("Output", ("fmt", "output", "sarif_root", "quiet", "verbose", "no_color")),
    ("Configuration and help", ("config_path", "no_config", "debug", "help")),
)

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


def _internal_error(exc: Exception) -> NoReturn:
    """A bug, not the user's fault: one line, the versions and where to report it (exit 3)."""
    _fail(
        f"internal error: {type(exc).__name__}: {exc}\n"
        f"kportable {__version__}, Python {sys.version.split()[0]}. Re-run with --debug for the traceback "
        f"and report it at {ISSUES_URL}",
        EXIT_INTERNAL,
    )


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


@main.command(cls=SectionedCommand, sections=LINT_SECTIONS, epilog=LINT_EPILOG)
@click.argument("paths", nargs=-1, required=False, metavar="PATH...")
@click.option("--format", "fmt", default=None, metavar="NAME",
              help="Output format: text, json, sarif, github, markdown, gitlab (and any a plugin adds; "
                   "see `kportable formats`). `-f NAME` works too.  [default: text]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of stdout.")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rules: ids, slugs or id prefixes (KP1), comma-separated, repeatable. "
                   "Rules that are off by default need their exact id or slug.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (ids, slugs, prefixes).")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), default=None, metavar="SEVERITY",
              help="Exit 1 when a finding is at or above this severity: blocker, major, minor or info.  "
                   "[default: the config's fail-on, else minor]")
@click.option("-n", "--namespace", default=None,
              help="Namespace of objects that do not set metadata.namespace (as `kubectl apply -n`).  "
                   "[default: the config's namespace, else default]")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files and directories matching this glob (repeatable), e.g. 'charts/*/templates'.")
@click.option("--context", "context_paths", multiple=True, metavar="PATH",
              help="Also read these manifests for cross-resource rules (NetworkPolicies, PDBs, quotas) "
                   "without reporting on them. Useful with pre-commit, which passes only changed files.")
@click.option("--assume", "assume", multiple=True, metavar="NAME",
              help="What the cluster already provides, so hygiene rules stay quiet about it (repeatable, "
                   f"comma-separated): {', '.join(ASSUMPTIONS)}.")
@click.option("--cloud", "--target", "targets", multiple=True, metavar="ID",
              help="Target clouds (eks, gke, aks; repeatable): the score columns (plus portable) and the "
                   "default --k8s-version. Default: all. Ties to every cloud are still reported.")
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
# --- schema validation options (issue 9) ---------------------------------------------------------
@click.option("--k8s-version", "k8s_version", default=None, metavar="X.Y",
              help="Validate against this Kubernetes minor (1.25 to 1.37). Default: the oldest version "
                   "still supported by any target cloud (from the cloud profiles), else 1.35.")
@click.option("--strict", "schema_strict", is_flag=True,
              help="Use the strict schemas: unknown fields are errors (KP002).")
@click.option("--schema-dir", "schema_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False),
              help="JSON Schemas for custom resources (repeatable): <group>/<kind>_<version>.json, "
                   "<kind>-<group>-<version>.json, or any .json with x-kubernetes-group-version-kind.")
# --- end of schema validation options -------------------------------------------------------------
# --- ci (issue #6): config file, score gate, baseline, CI paths ----------------------------
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Read settings from FILE (.kportable.yaml or pyproject.toml) instead of discovering "
                   ".kportable.yaml or [tool.kportable] upward from the working directory.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--min-score", type=click.IntRange(0, 100), default=None, metavar="N",
              help="Exit 1 when a workload scores under N for a --target (every target when none is given).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Findings recorded in FILE do not count toward the exit code (matched by rule, object and "
                   "key path, not line). -v lists stale entries.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Record every finding that counts now in FILE (a new baseline), report them as baselined.")
@click.option("--sarif-root", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Directory that sarif, github, gitlab and markdown paths are relative to. "
                   "Default: the git top level, else the working directory.")
# --- end ci ------------------------------------------------------------------------------------
# --- rendered input: Helm output, kustomize builds, values profiles (docs/helm-kustomize.md) ---
@click.option("--chart-dir", "chart_dirs", multiple=True, metavar="DIR", type=click.Path(file_okay=False),
              help="The Helm chart that rendered the input (repeatable: one per chart of concatenated releases). "
                   "Findings then name the template file and line (from the `# Source:` comments).")
@click.option("--profile", "profiles", multiple=True, metavar="NAME=PATH",
              help="Lint one render per values profile and compare them per workload: --profile aws=aws.yaml "
                   "--profile gcp=gcp.yaml (PATH: file, directory or '-'; repeat a NAME to add paths). "
                   "Replaces PATH arguments.")
@click.option("--no-build", is_flag=True,
              help="Read kustomization directories and Helm charts file by file instead of building or rendering "
                   "them (kustomization files are then skipped, chart templates noted as KP030).")
@click.option("--charts-of-files", is_flag=True,
              help="Lint the Helm chart each file PATH belongs to (a template, values file, Chart.yaml or subchart "
                   "file), rendered, instead of the file itself; files in no chart are skipped. For the pre-commit "
                   "hook kportable-chart, which passes the changed files.")
@click.option("--kustomize-bin", metavar="PROGRAM", default=None,
              help="Build kustomizations with this kustomize or kubectl binary (default: `kustomize`, else "
                   "`kubectl`, from PATH).")
# --- Helm charts rendered by kportable (issue 13, render/charts.py) ---
@click.option("-f", "--values", "values_files", multiple=True, metavar="FILE",
              help="A values file for the charts named in PATH (a directory with Chart.yaml, its Chart.yaml, or a "
                   ".tgz), as `helm template -f`; repeatable, later files win. A registered output format name "
                   "(`-f json`) selects the format instead; write `-f ./json` for a values file of that name.")
@click.option("--set", "set_values", multiple=True, metavar="KEY=VAL",
              help="Set chart values as `helm --set` does (repeatable, comma-separated).")
@click.option("--set-string", "set_strings", multiple=True, metavar="KEY=VAL",
              help="Set chart values that stay strings, as `helm --set-string` does (repeatable).")
@click.option("--release", default=None, metavar="NAME",
              help="Release name for charts kportable renders (the release namespace is -n).  [default: release-name]")
@click.option("--values-profile", "values_profiles", multiple=True, metavar="NAME=FILE[,FILE]",
              help="Render the charts named in PATH once per values profile and compare the renders per workload: "
                   "--values-profile aws=values-aws.yaml --values-profile gcp=values-gcp.yaml (after any -f files).")
@click.option("--helm-backend", type=click.Choice(("auto", "helm", "sdk")), default="auto", show_default=True,
              help="How charts are rendered: `helm template` from a helm on PATH, else helm-python-sdk "
                   "(pip install 'kportable[helm]'); auto tries them in that order. --no-build reads charts as files.")
@click.option("--helm-bin", metavar="PROGRAM", default=None,
              help="Render charts with this helm binary (default: `helm` from PATH).")
# --- end of rendered-input options ---
def lint(
    paths: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    namespace: str | None,
    exclude: tuple[str, ...],
    context_paths: tuple[str, ...],
    assume: tuple[str, ...],
    targets: tuple[str, ...],
    jobs: int | None,
    max_file_size: int | None,
    stdin_filename: str,
    no_color: bool,
    quiet: bool,
    verbose: int,
    debug: bool,
    k8s_version: str | None,
    schema_strict: bool,
    schema_dirs: tuple[str, ...],
    config_path: str | None,
    no_config: bool,
    min_score: int | None,
    baseline_path: str | None,
    write_baseline: str | None,
    sarif_root: str | None,
    chart_dirs: tuple[str, ...],
    profiles: tuple[str, ...],
    no_build: bool,
    charts_of_files: bool,
    kustomize_bin: str | None,
    values_files: tuple[str, ...],
    set_values: tuple[str, ...],
    set_strings: tuple[str, ...],
    release: str | None,
    values_profiles: tuple[str, ...],
    helm_backend: str,
    helm_bin: str | None,
) -> None:
    """Lint manifests: files, directories (recursive) or '-' for stdin.

    Reads YAML and JSON (multi-document streams, kind: List, `helm template` and
    `kustomize build` output), reports every finding with its file, line and the portable
    alternative. Helm charts (a directory with Chart.yaml, or a .tgz) are rendered with
    `helm template` (a helm on PATH, else helm-python-sdk) and kustomizations built; findings
    name the template or kustomize file to edit.
    """
    from .config import Overrides, build_run_options
    from .errors import UserError
    from .findings import Severity
    from .load import DEFAULT_MAX_BYTES
    from .render.charts import DEFAULT_RELEASE

    if jobs is not None and jobs < 1:
        raise click.BadParameter("must be at least 1", param_hint="--jobs")
    fmt, values_files = _format_or_values(fmt, values_files)
    parsed_profiles = _parse_profiles(profiles)
    parsed_values_profiles = _parse_values_profiles(values_profiles)
    if parsed_values_profiles and parsed_profiles:
        raise click.UsageError("--profile (renders made elsewhere) and --values-profile (charts kportable renders) "
                               "cannot be combined")
    if parsed_profiles and paths:
        raise click.UsageError("PATH arguments and --profile cannot be combined: give each render as a --profile")
    if not paths and not parsed_profiles:
        raise click.UsageError("Missing argument 'PATH...'.")
    if charts_of_files:
        if no_build:
            raise click.UsageError("--charts-of-files renders the charts of the files; it cannot be combined "
                                   "with --no-build")
        from .render.charts import charts_of

        paths = charts_of(paths)
        if not paths:
            click.echo("kportable: no file given belongs to a Helm chart; nothing to lint", err=True)
            sys.exit(0)
    if write_baseline and baseline_path:
        raise click.UsageError("--write-baseline writes a new baseline; it cannot be combined with --baseline")
    # ci (issue #6): the config file, then flags over it
    config = _load_config(config_path, no_config, verbose)
    overrides = Overrides(
        select=_split(select) or None,
        ignore=_split(ignore),
        fail_on=Severity.parse(fail_on) if fail_on else None,
        namespace=namespace,
        exclude=exclude,
        context=context_paths,
        targets=_split(targets),
        assume=frozenset(_split(assume)),
        k8s_version=k8s_version,
        schema_strict=schema_strict,
        schema_dirs=schema_dirs,
        min_score=min_score,
        baseline=baseline_path,
        use_baseline=write_baseline is None,
    )
    try:
        options = build_run_options(
            config,
            overrides,
            paths=paths,
            jobs=jobs if jobs is not None else (os.cpu_count() or 1),
            max_file_size=max_file_size or DEFAULT_MAX_BYTES,
            stdin_name=stdin_filename,
            chart_dirs=chart_dirs,
            profiles=parsed_profiles,
            kustomize_build=not no_build,
            kustomize_bin=kustomize_bin,
            chart_render=not no_build,
            chart_values=values_files,
            chart_set=set_values,
            chart_set_string=set_strings,
            release=release or DEFAULT_RELEASE,
            helm_backend=helm_backend,
            helm_bin=helm_bin,
            values_profiles=_values_profiles(parsed_values_profiles, config, paths, no_build),
        )
    except UserError as exc:
        _fail(exc.message)
    from .report.base import ReportOptions

    report = ReportOptions(
        color=_use_color(no_color, output),
        verbose=verbose,
        quiet=quiet,
        sarif_root=sarif_root or _default_root(),
        width=_width(),
    )
    sys.exit(_run_and_report(options, report, fmt, output, debug or verbose >= 2, write_baseline=write_baseline))


# --- ci (issue #6): config loading, baseline writing, gate messages --------------------------


def _load_config(config_path: str | None, no_config: bool, verbose: int) -> Config | None:
    """The config that applies (checked against the installed rules), or ``None``; exits 2 when it is invalid."""
    from .config import check_config, find_config, load_config
    from .errors import UserError

    if no_config and config_path:
        raise click.UsageError("--config and --no-config contradict each other")
    if no_config:
        return None
    path = config_path or find_config()
    if path is None:
        return None
    try:
        config = load_config(path)
        check_config(config, _registry())
    except UserError as exc:
        _fail(exc.message)
    if verbose:
        click.echo(f"kportable: using configuration {config.path}", err=True)
    return config


def _default_root() -> str:
    from .config import find_repo_root

    root = find_repo_root()
    return str(root) if root is not None else os.getcwd()


def _write_baseline(result: RunResult, path: str) -> RunResult:
    """Write ``result``'s counting findings to ``path`` and return the result with them baselined.

    The scores are computed again: baselined findings cost nothing, as in a ``--baseline`` run, so
    the score matrix and the ``--min-score`` gate agree with the next run that reads the file.
    """
    import dataclasses

    from .baseline import Baseline, apply_baseline, dumps_baseline, entry_of
    from .score import compute_scores

    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(dumps_baseline(result.active))
    except OSError as exc:
        _fail(f"--write-baseline: cannot write {path}: {exc.strerror or exc}")
    baseline = Baseline(path, tuple(sorted(entry_of(f) for f in result.active)))
    findings, stale = apply_baseline(result.findings, baseline)
    click.echo(f"kportable: wrote {len(baseline.entries)} finding(s) to baseline {path}", err=True)
    targets = result.options.targets or tuple(result.registry.clouds)
    return dataclasses.replace(
        result, findings=tuple(findings), stale_baseline=stale,
        options=dataclasses.replace(result.options, baseline=baseline),
        scores=compute_scores(result.inventory, findings, targets),
    )


def _explain_gates(result: RunResult, verbose: int) -> None:
    """Diagnostics on stderr: score-gate failures always, stale baseline entries with -v."""
    from .gates import score_violations

    for violation in score_violations(result.scores, result.options.min_score):
        click.echo(f"kportable: {violation.describe()} (--min-score)", err=True)
    if result.stale_baseline and verbose:
        source = result.options.baseline.path if result.options.baseline else "the baseline"
        count = len(result.stale_baseline)
        click.echo(f"kportable: {count} stale entr{'y' if count == 1 else 'ies'} in {source} "
                   "(fixed, renamed or removed; rewrite it with --write-baseline):", err=True)
        for entry in result.stale_baseline:
            click.echo(f"  {entry.describe()}", err=True)


# --- end ci ----------------------------------------------------------------------------------


def _parse_profiles(values: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``("aws=a.yaml", "gcp=-", "aws=b.yaml")`` -> (("aws", ("a.yaml", "b.yaml")), ("gcp", ("-",))), in order."""
    import re

    found: dict[str, list[str]] = {}
    for value in values:
        name, sep, path = value.partition("=")
        name = name.strip()
        if not sep or not path or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise click.BadParameter(
                f"{value!r}: expected NAME=PATH, e.g. aws=rendered-aws.yaml", param_hint="--profile"
            )
        found.setdefault(name, []).append(path)
    stdin = [n for n, ps in found.items() if "-" in ps]
    if len(stdin) > 1 or any(ps.count("-") > 1 for ps in found.values()):
        raise click.BadParameter("only one profile can read '-' (standard input)", param_hint="--profile")
    return tuple((n, tuple(ps)) for n, ps in found.items())


def _format_or_values(fmt: str | None, values: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """``-f`` is both helm's ``--values`` and kportable's ``--format``: a registered format name is a format.

    The rule does not look at the disk, so ``-f json`` means the same everywhere; a values file named
    like a format is given as ``-f ./json``. Two different formats are an error, and so is a bare word
    that is neither a format nor an existing file (``-f yaml``: a mistyped format, most likely).
    """
    names = set(_registry().formats) if values else set()
    formats = [v for v in values if v in names]
    for v in values:
        if v not in names and not os.path.exists(v) and not any(c in v for c in "./\\"):
            _fail(f"unknown --format {v!r}; choose one of {', '.join(sorted(names))} (and no values file {v!r} "
                  "exists either)")
    chosen = {*formats, *([fmt] if fmt else [])}
    if len(chosen) > 1:
        raise click.UsageError(f"two output formats given: {', '.join(sorted(chosen))} (-f NAME and --format NAME "
                               "both select the output format)")
    return (chosen.pop() if chosen else "text"), tuple(v for v in values if v not in names)


def _values_profiles(
    given: tuple[tuple[str, tuple[str, ...]], ...], config: Config | None, paths: Sequence[str], no_build: bool,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``--values-profile`` (a usage error without a chart among the paths), else the config's ``values-profiles``
    (used only when a chart is among the paths, so a config can carry them for every run)."""
    from .render.charts import names_chart

    has_chart = any(names_chart(p) for p in paths)
    if given:
        if no_build:
            raise click.UsageError("--values-profile renders charts; it cannot be combined with --no-build")
        if not has_chart:
            raise click.UsageError("--values-profile applies to a Helm chart, and no chart is among the paths "
                                   "(a directory holding Chart.yaml, a Chart.yaml, or a .tgz)")
        return given
    if config is None or no_build or not has_chart:
        return ()
    return config.values_profiles


def _parse_values_profiles(values: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``("aws=a.yaml,b.yaml", "gcp=g.yaml")`` -> (("aws", ("a.yaml", "b.yaml")), ("gcp", ("g.yaml",))), in order."""
    import re

    found: dict[str, list[str]] = {}
    for value in values:
        name, sep, files = value.partition("=")
        name = name.strip()
        paths = [p.strip() for p in files.split(",") if p.strip()]
        if not sep or not paths or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise click.BadParameter(
                f"{value!r}: expected NAME=FILE[,FILE], e.g. aws=values-aws.yaml", param_hint="--values-profile"
            )
        found.setdefault(name, []).extend(paths)
    return tuple((n, tuple(ps)) for n, ps in found.items())


def _width() -> int:
    try:
        return max(80, min(os.get_terminal_size().columns, 200))
    except OSError:
        return 120


def _run_and_report(
    options: RunOptions, report: ReportOptions, fmt: str, output: str | None, debug: bool,
    write_baseline: str | None = None,
) -> int:
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
        if write_baseline:  # ci (issue #6)
            result = _write_baseline(result, write_baseline)
        text = formatter.render(result, report)
    except UserError as exc:
        _fail(exc.message)
    except Exception as exc:
        if debug:
            raise
        _internal_error(exc)
    _emit(text, output)
    _explain_gates(result, report.verbose)  # ci (issue #6)
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
    from .gates import exit_status  # ci (issue #6): findings or --min-score

    return exit_status(result)


# --------------------------------------------------------------------------- catalogue: rules, explain, plugins


def _selection(select: tuple[str, ...], ignore: tuple[str, ...]) -> RunOptions:
    """The rule selection a ``lint`` with these flags would make (what ``rules`` marks as enabled)."""
    from .api import RunOptions

    return RunOptions(select=_split(select) or None, ignore=_split(ignore))


def _report_plugin_errors(registry: Registry) -> int:
    """Print every plugin load error to stderr; the exit code a catalogue command ends with."""
    for err in registry.errors:
        click.echo(f"kportable: error: {err.message}", err=True)
    return EXIT_INTERNAL if registry.errors else EXIT_OK


# --------------------------------------------------------------------------- score (cloud portability matrix)


@main.command(epilog=SCORE_EPILOG)
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
@click.option("--values", "chart_values", multiple=True, metavar="FILE",
              help="Values file for the Helm chart among the paths (repeatable, as helm -f).")
@click.option("--set", "chart_set", multiple=True, metavar="KEY=VALUE", help="Set a chart value (as helm --set).")
@click.option("--release", default="release-name", show_default=True, metavar="NAME",
              help="Release name of the charts kportable renders.")
@click.option("--no-build", is_flag=True,
              help="Read Helm chart and kustomization files as they are instead of rendering and building them.")
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
    chart_values: tuple[str, ...],
    chart_set: tuple[str, ...],
    release: str,
    no_build: bool,
    jobs: int | None,
    no_color: bool,
    debug: bool,
) -> None:
    """Score every workload 0-100 per target cloud and `portable` (any conformant cluster).

    A tie to one cloud lowers every other target; a hygiene finding lowers all of them. Findings
    on a workload's Services, Ingresses, ServiceAccount, RBAC bindings, PVCs and StorageClasses
    count against it; what no workload counts gets a row per namespace and one for cluster-scoped
    objects. Helm charts are rendered and kustomizations built, as `kportable lint` does. The
    formula is in docs/scoring.md.
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
        targets=_split(targets), kustomize_build=not no_build, chart_render=not no_build,
        chart_values=chart_values, chart_set=chart_set, release=release,
    )
    report = ReportOptions(color=_use_color(no_color, None), width=_width())
    try:
        result = run(options, _registry())
    except UserError as exc:
        _fail(exc.message)
    except Exception as exc:
        if debug:
            raise
        _internal_error(exc)
    if explain_workload is not None:
        chosen = find_workloads(result.scores, explain_workload)
        if not chosen:
            known = ", ".join(
                f"{s.workload.kind}/{s.workload.namespace or '-'}/{s.workload.name}" for s in result.scores[:5]
            )
            _fail(f"--explain: no workload matches {explain_workload!r}" + (f" (e.g. {known})" if known else ""))
        _emit(render_explain(result, chosen, report), None)
    else:
        _emit(render_score(result, report, fmt), None)
    code = exit_code(result)
    if code == EXIT_INTERNAL:
        sys.exit(code)
    below = min_score is not None and any(v < min_score for s in result.scores for v in s.scores.values())
    sys.exit(EXIT_FINDINGS if below else EXIT_OK)


@main.command(epilog=RULES_EPILOG)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="markdown is the docs site's rule index (docs/rules.md).")
@click.option("--plugin", "plugin_names", multiple=True, metavar="NAME",
              help="Only the rules of this plugin (repeatable), e.g. core.")
@click.option("--select", multiple=True, metavar="RULES",
              help="Mark as enabled what `lint --select` would run (ids, slugs, prefixes).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Mark as disabled what `lint --ignore` would skip.")
def rules(fmt: str, plugin_names: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """List the rules: id, slug, severity, clouds, plugin, and whether lint runs them."""
    from .api import select_rules
    from .errors import UserError
    from .report.catalog import render_rules

    registry = _registry()
    unknown = [p for p in plugin_names if registry.plugin(p) is None]
    if unknown:
        _fail(f"no plugin named {', '.join(unknown)}; loaded: {', '.join(p.name for p in registry.plugins)}")
    try:
        active = select_rules(registry, _selection(select, ignore))
    except UserError as exc:
        _fail(exc.message)
    text = render_rules(registry, fmt, enabled={a.spec.id for a in active}, plugins=plugin_names,
                        color=_use_color(False, None), width=_width())
    click.echo(text, nl=False)
    sys.exit(_report_plugin_errors(registry))


@main.command(epilog=EXPLAIN_EPILOG)
@click.argument("rule_name", metavar="RULE")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="text renders the page for a terminal; markdown prints its source.")
def explain(rule_name: str, fmt: str) -> None:
    """Show a rule's documentation: what it does, why, examples, options, clouds, plugin.

    RULE is an id (KP101, ACME101), a slug (missing-cpu-request) or an alias.
    """
    from .report.catalog import explain_markdown, render_explain

    registry = _registry()
    spec = registry.rule(rule_name)
    if spec is None:
        similar = registry.similar_rules(rule_name)
        hint = f"; did you mean {' or '.join(similar)}?" if similar else ""
        _report_plugin_errors(registry)
        _fail(f"no rule named {rule_name!r}{hint} (see `kportable rules`)")
    if fmt == "markdown":
        click.echo(explain_markdown(spec, registry), nl=False)
    else:
        click.echo(render_explain(spec, registry, color=_use_color(False, None), width=min(_width(), 100)), nl=False)
    sys.exit(_report_plugin_errors(registry))


@main.command(epilog=PLUGINS_EPILOG)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table per plugin; json: the same, for scripts.")
def plugins(fmt: str) -> None:
    """List installed plugins, their versions, what each registers, and load errors (exit 3 if any)."""
    from .report.catalog import render_plugins

    registry = _registry()
    click.echo(render_plugins(registry, fmt, color=_use_color(False, None), width=_width()), nl=False)
    sys.exit(EXIT_INTERNAL if registry.errors else EXIT_OK)


@main.command(epilog=FORMATS_EPILOG)
def formats() -> None:
    """List the output formats available to `lint --format`."""
    registry = _registry()
    for name, fmt in registry.formats.items():
        click.echo(f"{name:<10} {fmt.help}  [{fmt.plugin}]")


# --- ci (issue #6): kportable init ----------------------------------------------------------


@main.command(epilog=INIT_EPILOG)
@click.option("--force", is_flag=True, help="Overwrite an existing .kportable.yaml.")
@click.option("--dir", "directory", default=".", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False, exists=True), help="Where to write the file.")
def init(force: bool, directory: str) -> None:
    """Write a commented starter .kportable.yaml (refuses to overwrite one without --force)."""
    from .config import write_starter
    from .errors import UserError

    try:
        path = write_starter(directory, force=force)
    except UserError as exc:
        _fail(exc.message)
    click.echo(f"kportable: wrote {path}; edit it, then run `kportable lint`.")


# --- port (issue #11): cloud-tied bundle -> portable kustomize base + one overlay per cloud -----


@main.command(epilog=PORT_EPILOG)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--from", "source", required=True, metavar="ID",
              help="The cloud the bundle was written for (a cloud profile id: eks, gke, aks, or a plugin's).")
@click.option("--out", "out", required=True, metavar="DIR", type=click.Path(file_okay=False),
              help="Where to write base/ and overlays/<cloud>/.")
@click.option("--to", "targets", multiple=True, metavar="ID",
              help="Overlays to write besides the source's (repeatable, comma-separated). Default: every "
                   "registered cloud profile.")
@click.option("--dry-run", is_flag=True, help="Print the plan (what moves where) as a tree; write nothing.")
@click.option("--force", is_flag=True, help="Write into a non-empty DIR (its base/ and overlays/ are replaced).")
@click.option("--verify", "verify_build", is_flag=True,
              help="Build every overlay with kustomize afterwards and check it: the source overlay rebuilds the "
                   "original, the base has no cloud tie, no other overlay has a tie that costs on its cloud.")
@click.option("-n", "--namespace", default="default", show_default=True,
              help="Namespace of objects that do not set metadata.namespace.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching this glob.")
@click.option("--kustomize-bin", metavar="PROGRAM", default=None,
              help="kustomize or kubectl binary for --verify (default: `kustomize`, else `kubectl`, from PATH).")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for internal errors.")
def port(
    paths: tuple[str, ...],
    source: str,
    out: str,
    targets: tuple[str, ...],
    dry_run: bool,
    force: bool,
    verify_build: bool,
    namespace: str,
    exclude: tuple[str, ...],
    kustomize_bin: str | None,
    no_color: bool,
    debug: bool,
) -> None:
    """Turn a cloud-tied bundle into a portable kustomize base plus one overlay per cloud.

    Writes DIR/base/ (your manifests, comments kept, with every cloud-specific item taken out or
    made neutral) and DIR/overlays/<cloud>/: the source cloud's overlay restores exactly what was
    taken out; every other overlay gets the equivalents the cloud profiles define (internal load
    balancers, storage classes, workload identity, ingress classes, spot nodes, registries) and a
    TODO.md listing what has no equivalent, by finding id. See docs/port.md.
    """
    from rich.console import Console

    from . import port as porting
    from .errors import UserError

    registry = _registry()
    try:
        if not dry_run:
            porting.check_output(out, force)
        plan = porting.plan_paths(paths, source=source, targets=_split(targets), registry=registry,
                                  namespace=namespace, exclude=exclude)
        if dry_run:
            from .port.tree import plan_tree

            Console(no_color=not _use_color(no_color, None), width=_width(), highlight=False).print(
                plan_tree(plan, out))
            sys.exit(EXIT_OK)
        written = porting.write_plan(plan, out)
    except UserError as exc:
        _fail(exc.message)
    except Exception as exc:
        if debug:
            raise
        _internal_error(exc)
    todos = {c: len(plan.overlays[c].todos) + len(plan.overlays[c].fills) for c in plan.targets if c != plan.source}
    click.echo(f"kportable: wrote {len(written)} files to {out}: base/ and overlays/{{{','.join(plan.targets)}}}; "
               f"{len(plan.items)} cloud-specific item(s) taken out of the base")
    for cloud, count in todos.items():
        click.echo(f"  overlays/{cloud}/TODO.md: {count} item(s) to decide or fill in")
    if verify_build:
        from .port.verify import verify
        from .render.kustomize import find_tool

        try:
            tool = find_tool(kustomize_bin)
        except UserError as exc:
            _fail(exc.message)
        outcome = verify(plan, out, registry, tool)
        for line in outcome.describe():
            click.echo(f"  verify {line}")
        sys.exit(EXIT_OK if outcome.ok else EXIT_FINDINGS)
    sys.exit(EXIT_OK)


# --- end port -----------------------------------------------------------------------------------
