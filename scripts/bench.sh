#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its report. Each bench/*.sh
# builds what it compares against (helm, kubeseal from the same modules as
# go.mod; the git CLI) and prints ratios. Nothing here asserts timings.
# Usage: scripts/bench.sh BIN
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
export GITOPSCTL="$bin" BENCH_ROOT="$root" BENCH_WORK="$root/.bench"
mkdir -p "$BENCH_WORK"
for b in "$root"/bench/*.sh; do
  [ -e "$b" ] || continue
  echo "==> $(basename "$b" .sh)"
  bash "$b"
  echo
done
