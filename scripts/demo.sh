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
for step in "$here"/demo.d/*.sh; do
  echo
  echo "==> $(sed -n 's/^# step: //p' "$step")"
  bash "$step"
done
echo
echo "Demo repositories are in $dir"
