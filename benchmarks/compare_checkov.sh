#!/usr/bin/env bash
# Side-by-side: kportable and Checkov on the same generated corpus (default 2,000 documents).
#
# Optional and slow (Checkov needs minutes): installs Checkov from PyPI into its own venv
# (default /tmp/checkov-venv, reused when present), generates the corpus with gen_corpus.py
# (cached under the temp dir), then times each tool once with GNU time (wall seconds, peak RSS)
# and prints the ratio. Both write JSON to a file, as CI would; neither report is compared:
# the tools check different things, this measures throughput only.
#
#   benchmarks/compare_checkov.sh [N]            # N documents, default 2000
#
# Environment: CHECKOV_VENV (venv dir), KPORTABLE (the kportable command; default: the
# repository's .venv/bin/kportable), KP_JOBS (kportable --jobs, default 1: one core each, as
# Checkov's Kubernetes runner is single-process), CORPUS_ROOT (where corpora are cached).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
n="${1:-2000}"
venv="${CHECKOV_VENV:-/tmp/checkov-venv}"
kportable="${KPORTABLE:-$repo/.venv/bin/kportable}"
jobs="${KP_JOBS:-1}"
root="${CORPUS_ROOT:-${TMPDIR:-/tmp}/kportable-bench}"
corpus="$root/corpus-$n-seed0"
out="$(mktemp -d "${TMPDIR:-/tmp}/kp-vs-checkov.XXXXXX")"
gnutime=/usr/bin/time

[[ -x "$gnutime" ]] || { echo "compare_checkov: needs GNU time at /usr/bin/time" >&2; exit 2; }
[[ -x "$kportable" ]] || { echo "compare_checkov: no kportable at $kportable (set KPORTABLE)" >&2; exit 2; }

if [[ ! -x "$venv/bin/checkov" ]]; then
  echo "installing checkov into $venv (from PyPI) ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet checkov >"$out/pip.log" 2>&1 || { cat "$out/pip.log" >&2; exit 2; }
fi

if [[ ! -f "$corpus/CORPUS.txt" ]]; then
  rm -rf "$corpus.tmp" && mkdir -p "$root"
  python3 "$here/gen_corpus.py" "$n" "$corpus.tmp" >&2
  mv "$corpus.tmp" "$corpus"
fi

# run NAME CMD...: time one tool; prints "NAME seconds peak_mb exit"
run() {
  local name="$1"; shift
  local stats="$out/$name.time"
  local rc=0
  "$gnutime" -f '%e %M' -o "$stats" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || rc=$?
  read -r secs kb < <(tail -n 1 "$stats")
  echo "$name $secs $((kb / 1024)) $rc"
}

echo "corpus: $corpus ($n documents); reports in $out" >&2
kp_line="$(run kportable "$kportable" lint "$corpus" --format json --output "$out/kportable.json" --jobs "$jobs")"
ck_line="$(run checkov "$venv/bin/checkov" -d "$corpus" --framework kubernetes --output json --quiet \
  --compact --skip-download)"
cp "$out/checkov.stdout" "$out/checkov.json" 2>/dev/null || true

read -r _ kp_s kp_mb kp_rc <<<"$kp_line"
read -r _ ck_s ck_mb ck_rc <<<"$ck_line"
checkov_version="$("$venv/bin/checkov" --version 2>/dev/null || echo '?')"
python3 - "$n" "$kp_s" "$kp_mb" "$kp_rc" "$ck_s" "$ck_mb" "$ck_rc" "$checkov_version" "$jobs" <<'EOF'
import sys
n, kp_s, kp_mb, kp_rc, ck_s, ck_mb, ck_rc, version, jobs = sys.argv[1:]
n, kp_s, ck_s = int(n), float(kp_s), float(ck_s)
print(f"{'tool':<22} {'wall s':>8} {'docs/s':>9} {'peak MB':>8} {'exit':>5}")
print(f"{'kportable --jobs ' + jobs:<22} {kp_s:8.2f} {n / kp_s:9.0f} {kp_mb:>8} {kp_rc:>5}")
print(f"{'checkov ' + version:<22} {ck_s:8.2f} {n / ck_s:9.0f} {ck_mb:>8} {ck_rc:>5}")
print(f"kportable is {ck_s / kp_s:.1f}x faster on {n:,} documents (wall time, start-up included)")
EOF
