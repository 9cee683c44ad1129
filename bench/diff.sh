#!/usr/bin/env bash
# diff and check timings (wall time). Prints numbers and ratios; asserts nothing.
#  1. diff with one changed app among 1,000 generated apps, against rendering
#     everything at both revisions and diffing the output (what you would do
#     without affected-app selection: render twice + diff -r).
#  2. check on a seed-size repo (15 apps): all apps, and --staged with one
#     staged change (what the pre-commit hook runs).
set -euo pipefail
: "${GITOPSCTL:?}" "${BENCH_ROOT:?}" "${BENCH_WORK:?}"
work="$BENCH_WORK/diff"
rm -rf "$work"
mkdir -p "$work"
(cd "$BENCH_ROOT" && go build -o "$work/benchgen" ./internal/render/benchgen/cmd/benchgen)

# seconds CMD...: wall time of one run, in seconds (exit status ignored).
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}
best() { # best of 3 runs
  local b="" t
  for _ in 1 2 3; do
    t=$(seconds "$@")
    if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
  done
  echo "$b"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }

"$work/benchgen" -n 1000 -git "$work/big"
cd "$work/big/gitops-repo"
sed 's/LOG_LEVEL: info/LOG_LEVEL: debug/' ../configs-repo/svc-0500/config.yaml > "$work/config.yaml"
cp "$work/config.yaml" ../configs-repo/svc-0500/config.yaml

render_both() {
  "$GITOPSCTL" render --rev HEAD --configs-rev HEAD --out "$work/base" &&
    "$GITOPSCTL" render --out "$work/head" && diff -r "$work/base" "$work/head"
}
t_diff=$(best "$GITOPSCTL" diff)
t_full=$(seconds render_both)
echo "diff, 1 of 1,000 apps changed:             ${t_diff}s"
echo "render all twice + diff -r (no selection): ${t_full}s   gitopsctl diff is $(ratio "$t_full" "$t_diff") faster"
{ "$GITOPSCTL" diff || true; } | tail -2 | cut -c1-100

"$work/benchgen" -n 15 -git "$work/seed"
cd "$work/seed/gitops-repo"
t_check=$(best "$GITOPSCTL" check)
sed 's/LOG_LEVEL: info/LOG_LEVEL: debug/' ../configs-repo/backend/config.yaml > "$work/config.yaml"
cp "$work/config.yaml" ../configs-repo/backend/config.yaml
git -C ../configs-repo add backend/config.yaml
t_staged=$(best "$GITOPSCTL" check --staged)
t_render=$(best "$GITOPSCTL" render)
echo "check, seed size (15 apps), all:           ${t_check}s"
echo "check --staged, one staged change:         ${t_staged}s"
echo "render alone, same repo:                   ${t_render}s   check costs $(ratio "$t_check" "$t_render") a render"
