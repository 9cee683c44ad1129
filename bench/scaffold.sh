#!/usr/bin/env bash
# Scaffolding cost: gitopsctl new-service (renders, validates with the Helm
# engine, writes two repositories all or nothing) against what it replaces,
# copying an existing chart folder with cp and sed (no validation, no
# Application, no configs-repo values). Prints times and the ratio; asserts
# nothing.
set -euo pipefail
n=${SCAFFOLD_BENCH_N:-20}
work="$BENCH_WORK/scaffold"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$GITOPSCTL" init gitops-repo --registry ghcr.io/acme >/dev/null
"$GITOPSCTL" --repo gitops-repo new-service template >/dev/null

now() { date +%s%N; }

t0=$(now)
for i in $(seq 1 "$n"); do
  "$GITOPSCTL" --repo gitops-repo new-service "svc-$i" >/dev/null
done
t1=$(now)
for i in $(seq 1 "$n"); do
  cp -r gitops-repo/charts/template "gitops-repo/charts/copy-$i"
  sed -i "s/template/copy-$i/g" "gitops-repo/charts/copy-$i/Chart.yaml" "gitops-repo/charts/copy-$i/values.yaml"
done
t2=$(now)

ours=$(( (t1 - t0) / n / 1000 ))
theirs=$(( (t2 - t1) / n / 1000 ))
echo "new-service (render + validate + atomic write, 2 repos): ${ours} us per service"
echo "cp -r + sed of a chart folder (no validation):           ${theirs} us per service"
awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "ratio gitopsctl / cp+sed: %.2fx\n", a / b }'
