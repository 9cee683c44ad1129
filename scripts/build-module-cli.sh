#!/usr/bin/env bash
# Builds a CLI from a module gitopsctl depends on (helm, kubeseal, kustomize)
# at exactly the versions in go.mod/go.sum, for benchmarks and conformance
# checks.
# The CLI may need modules gitopsctl does not import; it is built in a scratch
# copy of go.mod/go.sum so the missing go.sum lines are fetched there, never
# into the repository. A CLI in a module gitopsctl does not require (the
# kustomize CLI, sigs.k8s.io/kustomize/kustomize/v5, next to the API module
# sigs.k8s.io/kustomize/api) is named by MODULE@VERSION and required in the
# scratch copy first; the build fails when that moves a module gitopsctl
# requires whose path starts with KEEP (default: any module) to another
# version, and notes the others it moves. The binary is cached in
# $BENCH_WORK, keyed by go.mod + go.sum + MODULE@VERSION. Prints the
# binary's path.
# Usage: scripts/build-module-cli.sh NAME PACKAGE [MODULE@VERSION [KEEP]]
set -euo pipefail
name=$1 pkg=$2 extra=${3:-} keep=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/.bench}
mkdir -p "$work"
out="$work/$name-$( (cat "$root/go.mod" "$root/go.sum"; echo "$extra") | sha256sum | cut -c1-12)"
if [ ! -x "$out" ]; then
  scratch=$(mktemp -d "$work/$name-build.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  sed "s/^module .*/module ${name}build/" "$root/go.mod" >"$scratch/go.mod"
  cp "$root/go.sum" "$scratch/go.sum"
  if [ -n "$extra" ]; then
    (cd "$scratch" && go mod edit -require="$extra") >&2
  fi
  (cd "$scratch" && GOFLAGS=-mod=mod go build -o "$out.tmp" "$pkg") >&2
  if [ -n "$extra" ]; then
    # The modules gitopsctl requires (those starting with KEEP) must keep
    # their versions.
    reqs() { go mod edit -json "$1" | sed -n 's/^.*"Path": "\(.*\)",$/\1/p;s/^.*"Version": "\(.*\)"$/\1/p' | paste - - | sort; }
    moved=$(comm -23 <(reqs "$root/go.mod") <(reqs "$scratch/go.mod") || true)
    bad=$(echo "$moved" | awk -v k="$keep" 'NF && index($1, k) == 1')
    if [ -n "$bad" ]; then
      rm -f "$out.tmp"
      echo "build-module-cli: requiring $extra moves modules gitopsctl requires:" >&2
      echo "$bad" >&2
      exit 1
    fi
    if [ -n "$moved" ]; then
      echo "build-module-cli: note: requiring $extra moves, outside ${keep:-?}:" $moved >&2
    fi
  fi
  mv "$out.tmp" "$out"
fi
echo "$out"
