#!/usr/bin/env bash
# Runs every e2e test file alone — its own jest process, database server and app — one after the
# other, and fails if any of them fails. So no file depends on another file's data or on running
# in the same process.
#
#   scripts/test-each.sh                   every e2e file, one by one
#   scripts/test-each.sh FILE...           only these files
#   --randomize                            run each file's tests in a random order (jest --randomize),
#                                          which shows tests that depend on the tests before them
#   --tests                                run every single test alone (one jest run per test; slow):
#                                          no test may need another test's data
#   --jobs N                               run N at a time (default 1)
#
# Each jest run starts its own database server unless MONGODB_URI names one (see the e2e global
# setup); every test app uses a database of its own either way. Logs of failed runs are kept in
# $TEST_EACH_LOG_DIR (default: a new temporary folder).
set -uo pipefail
cd "$(dirname "$0")/.."

mode=files
randomize=0
jobs=1
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tests) mode=tests ;;
    --randomize) randomize=1 ;;
    --jobs) jobs="$2"; shift ;;
    --jobs=*) jobs="${1#--jobs=}" ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) files+=("$1") ;;
  esac
  shift
done

jest=(node node_modules/jest/bin/jest.js --selectProjects e2e --ci --silent)
listing_jest=("${jest[@]}")
[[ "$randomize" -eq 1 ]] && jest+=(--randomize --showSeed)
log_dir="${TEST_EACH_LOG_DIR:-}"
[[ -z "$log_dir" ]] && log_dir="$(mktemp -d "${TMPDIR:-/tmp}/test-each-XXXXXX")" && own_log_dir=1
mkdir -p "$log_dir"

if [[ ${#files[@]} -eq 0 ]]; then
  mapfile -t files < <("${listing_jest[@]}" --listTests 2>/dev/null | grep -E '\.e2e-spec\.ts$' | sed "s|^$PWD/||" | sort)
fi
if [[ ${#files[@]} -eq 0 ]]; then
  echo "test-each: no e2e test files found" >&2
  exit 1
fi

# One unit of work per line: "FILE" (files mode) or "FILE<TAB>^escaped full name$<TAB>full name" (tests mode).
units="$log_dir/units.txt"
: >"$units"
if [[ "$mode" == files ]]; then
  printf '%s\n' "${files[@]}" >"$units"
else
  for file in "${files[@]}"; do
    listing="$log_dir/listing.json"
    # Listing the names runs the file once with every test skipped (no test or hook runs).
    "${listing_jest[@]}" --runTestsByPath "$file" --testNamePattern '^$' --json --outputFile "$listing" >/dev/null 2>&1
    node -e '
      const [listing, file] = process.argv.slice(1);
      const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      for (const suite of require(listing).testResults) {
        for (const test of suite.assertionResults) {
          process.stdout.write(`${file}\t^${escape(test.fullName)}$\t${test.fullName}\n`);
        }
      }
    ' "$listing" "$file" >>"$units"
  done
fi

# What the tests leave in the working tree (untracked or ignored files included): nothing, they write
# to temporary folders only.
working_tree() { git status --porcelain --ignored=matching 2>/dev/null | sort; }
tree_before="$(working_tree)"

total=$(wc -l <"$units")
echo "test-each: $total $mode$([[ "$randomize" -eq 1 ]] && echo ', tests in random order'), $jobs at a time; logs in $log_dir"

run_one() {
  local unit="$1" file pattern="" name="" log status start
  IFS=$'\t' read -r file pattern name <<<"$unit"
  log="$log_dir/$(printf '%s %s' "$file" "$pattern" | cksum | cut -d' ' -f1).log"
  start=$(date +%s)
  if [[ -n "$pattern" ]]; then
    "${jest[@]}" --runTestsByPath "$file" --testNamePattern "$pattern" >"$log" 2>&1
  else
    "${jest[@]}" --runTestsByPath "$file" >"$log" 2>&1
  fi
  status=$?
  # A name pattern that matches no test is a failure too (jest would only skip everything).
  if [[ $status -eq 0 && -n "$pattern" ]] && ! grep -qE '^Tests:.* [1-9][0-9]* passed' "$log"; then status=1; fi
  local label="$file${name:+ › $name}"
  if [[ $status -eq 0 ]]; then
    rm -f "$log"
    printf 'PASS %4ss  %s\n' "$(($(date +%s) - start))" "$label"
  else
    printf 'FAIL %4ss  %s  (log: %s)\n' "$(($(date +%s) - start))" "$label" "$log"
  fi
}
export -f run_one
export log_dir
export JEST_CMD="${jest[*]}"

results="$log_dir/results.txt"
# shellcheck disable=SC2016
tr '\n' '\0' <"$units" |
  xargs -0 -P "$jobs" -I{} bash -c 'jest=($JEST_CMD); run_one "$1"' _ {} | tee "$results"

failed=$(grep -c '^FAIL' "$results")
passed=$(grep -c '^PASS' "$results")
echo "test-each: $passed of $total passed alone, $failed failed"

written="$(comm -13 <(echo "$tree_before") <(working_tree))"
if [[ -n "$written" ]]; then
  echo "test-each: the tests changed the working tree:"
  echo "$written"
fi
if [[ "$failed" -eq 0 && "$passed" -eq "$total" && -z "$written" ]]; then
  [[ -n "${own_log_dir:-}" ]] && rm -rf "$log_dir"
  exit 0
fi
exit 1
