#!/usr/bin/env bash
# Mutation testing of the legal core with mutmut (3.x): bench/mutation.sh [MODULE ...]
#
# For each module (generator/history/_calendar.py or just history/_calendar) the module alone is mutated and only
# the tests listed for it in bench/mutation_targets.txt are run against each mutant, in a scratch
# copy of the project (the worktree is never touched). Prints, per module, killed / survived /
# other and the score killed / (killed + survived). Without arguments every module in the table.
# Survivors are listed by name (MUTATION_SHOW=1 also prints each one's diff: slow, one mutmut call
# each) so they can be killed or listed in docs/testing.md as equivalent.
# Environment: MUTATION_JOBS (default 2), MUTATION_SHOW=1 for the diffs of the survivors,
# MUTATION_ISOLATION=forkserver for modules whose tests run git in process.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
table="$root/bench/mutation_targets.txt"
jobs="${MUTATION_JOBS:-2}"
show="${MUTATION_SHOW:-0}"
# fork (mutmut's default) or forkserver: tests that run git in process (make_notice) can hang in a worker
# forked from mutmut's main process (futex wait, no CPU, so the CPU-time limit never fires); forkserver does not
isolation="${MUTATION_ISOLATION:-fork}"

modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
  mapfile -t modules < <(grep -v '^\s*#' "$table" | awk 'NF {print $1}')
fi

status=0
for module in "${modules[@]}"; do
  case "$module" in generator/*) ;; *) module="generator/${module%.py}.py" ;; esac
  tests="$(awk -v m="$module" '$1 == m {$1=""; print}' "$table")"
  if [ -z "${tests// }" ]; then
    echo "$module: not in bench/mutation_targets.txt" >&2; status=2; continue
  fi
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/kiyaku-mutation.XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  (cd "$root" && tar cf - --exclude='./.git' --exclude='./rendered' --exclude='./site' --exclude='./.kiyaku' \
      --exclude='./mutants' --exclude='__pycache__' --exclude='.hypothesis' .) | (cd "$scratch" && tar xf -)
  {
    echo "[mutmut]"
    echo "source_paths = generator"
    echo "only_mutate = $module"
    echo "process_isolation = $isolation"
    echo "also_copy ="
    for extra in terms variants releases errata.yaml schema tools bench mkdocs.yml overrides docs; do
      [ -e "$scratch/$extra" ] && echo "    $extra"
    done
    echo "pytest_add_cli_args_test_selection ="
    for t in $tests; do echo "    $t"; done
    echo "pytest_add_cli_args ="
    echo "    -p"
    echo "    no:cacheprovider"
    echo "    -x"
    echo "    -q"
  } > "$scratch/setup.cfg"
  # mutmut reads [tool.mutmut] from pyproject.toml first; the table above is the one configuration
  python - "$scratch/pyproject.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
open(path, "w", encoding="utf-8").write(re.sub(r"\n\[tool\.mutmut\][^\[]*", "\n", text))
PY
  start=$(date +%s)
  # PYTHONPATH must not point at the worktree: the mutated copy (mutants/) has to be imported
  (cd "$scratch" && env -u PYTHONPATH HYPOTHESIS_PROFILE=mutation python -m mutmut run --max-children "$jobs" >"$scratch/run.log" 2>&1) || {
    echo "$module: mutmut failed; last lines of its log:" >&2; tail -n 30 "$scratch/run.log" >&2; status=1; rm -rf "$scratch"; continue; }
  seconds=$(( $(date +%s) - start ))
  (cd "$scratch" && env -u PYTHONPATH python -m mutmut export-cicd-stats >/dev/null)
  python - "$module" "$scratch/mutants/mutmut-cicd-stats.json" "$seconds" <<'PY'
import json, sys
module, path, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(path))
decided = s["killed"] + s["survived"]
score = 100.0 * s["killed"] / decided if decided else 100.0
other = s["total"] - decided
print(f"{module}: {s['killed']} killed, {s['survived']} survived, {other} other "
      f"(no tests {s['no_tests']}, timeout {s['timeout']}, suspicious {s['suspicious']}, skipped {s['skipped']}) "
      f"score {score:.1f}% in {seconds}s")
PY
  survivors="$(cd "$scratch" && env -u PYTHONPATH python -m mutmut results 2>/dev/null | awk -F: '/: (survived|no tests)/ {print $1}')" || true
  for name in $survivors; do
    echo "    survived: $name"
    if [ "$show" = "1" ]; then
      (cd "$scratch" && env -u PYTHONPATH python -m mutmut show "$name" 2>/dev/null | sed 's/^/        /') || true
    fi
  done
  rm -rf "$scratch"; trap - EXIT
done
exit $status
