#!/usr/bin/env bash
# Builds a CLI from a module gitopsctl depends on (helm, kubeseal) at exactly
# the versions in go.mod/go.sum, for benchmarks and conformance checks.
# The CLI may need modules gitopsctl does not import; it is built in a scratch
# copy of go.mod/go.sum so the missing go.sum lines are fetched there, never
# into the repository. The binary is cached in $BENCH_WORK, keyed by
# go.mod + go.sum. Prints the binary's path.
# Usage: scripts/build-module-cli.sh NAME PACKAGE
set -euo pipefail
name=$1 pkg=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/.bench}
mkdir -p "$work"
out="$work/$name-$(cat "$root/go.mod" "$root/go.sum" | sha256sum | cut -c1-12)"
if [ ! -x "$out" ]; then
  scratch=$(mktemp -d "$work/$name-build.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  sed "s/^module .*/module ${name}build/" "$root/go.mod" >"$scratch/go.mod"
  cp "$root/go.sum" "$scratch/go.sum"
  (cd "$scratch" && GOFLAGS=-mod=mod go build -o "$out.tmp" "$pkg") >&2
  mv "$out.tmp" "$out"
fi
echo "$out"
