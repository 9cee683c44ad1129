#!/usr/bin/env bash
# Runs the demo steps in scripts/demo.d in order against a fresh ./demo.
# Usage: scripts/demo.sh BIN DIR
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export GITOPSCTL="$bin" DEMO="$dir"
# The demo commits with a fixed identity so it works on machines without git config.
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-gitopsctl demo}" GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-demo@example.com}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-gitopsctl demo}" GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-demo@example.com}"

# The platform wrapper charts of init --platform depend on upstream charts.
# The demo runs offline: a stand-in server (same chart names and versions,
# on 127.0.0.1) answers for the upstream repositories, and a chart cache of
# the demo's own keeps the stand-ins out of the user's cache. Its stdin is a
# pipe the demo holds open, so it stops when the demo ends however it ends;
# the trap also stops it by pid.
root=$(cd "$here/.." && pwd)
(cd "$root" && go build -o "$root/bin/standins" ./internal/charts/chartstest/cmd/standins)
rm -f "$dir/.standins.in" "$dir/.standins.out"
mkfifo "$dir/.standins.in" "$dir/.standins.out"
"$root/bin/standins" <"$dir/.standins.in" >"$dir/.standins.out" &
standins_pid=$!
stop_standins() {
  exec 9>&-
  kill "$standins_pid" 2>/dev/null || true
  wait "$standins_pid" 2>/dev/null || true
  rm -f "$dir/.standins.in" "$dir/.standins.out"
}
trap stop_standins EXIT
exec 9>"$dir/.standins.in"
if ! IFS= read -r mirrors <"$dir/.standins.out" || [ -z "$mirrors" ]; then
  echo "demo: the chart stand-in server did not start" >&2
  exit 1
fi
export GITOPSCTL_CHART_MIRRORS="$mirrors" GITOPSCTL_CACHE_DIR="$dir/.chart-cache"
echo "Note: the platform charts (kube-prometheus-stack, grafana, loki, ...) come from a local stand-in"
echo "repository because the demo runs offline; on a real setup gitopsctl fetches them from the"
echo "upstream repositories and caches them."

for step in "$here"/demo.d/*.sh; do
  echo
  echo "==> $(sed -n 's/^# step: //p' "$step")"
  bash "$step" 9>&-
done
echo
echo "Demo repositories are in $dir"
