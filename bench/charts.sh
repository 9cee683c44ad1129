#!/usr/bin/env bash
# charts: render of a repository with 20 apps whose chart: sources come from
# a Helm repository on the loopback interface, with a cold chart cache (index
# and archives downloaded, verified, unpacked) and a warm one (--offline).
# Env: BENCH_ROOT (repo root). Prints numbers and a ratio; asserts nothing.
set -euo pipefail
root=${BENCH_ROOT:?}
cd "$root"
out=$(go test ./internal/render -run '^$' -bench 'RemoteCharts(Cold|Warm)$' -benchtime "${CHARTS_BENCH_N:-10}x" 2>/dev/null | grep '^BenchmarkRemoteCharts')
echo "$out"
cold=$(awk '/Cold/ {print $3}' <<<"$out")
warm=$(awk '/Warm/ {print $3}' <<<"$out")
awk -v c="$cold" -v w="$warm" 'BEGIN { printf "20 remote-chart apps: cold cache %.0f ms, warm cache %.0f ms (cold/warm %.1fx)\n", c/1e6, w/1e6, c/w }'
