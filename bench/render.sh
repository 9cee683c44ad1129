#!/usr/bin/env bash
# render: gitopsctl render against a shell loop of `helm template` (a helm CLI
# built from the helm module version in go.mod) on a seed-size repository
# (15 apps), then wall time and peak memory for 1,000 generated apps.
# Env: GITOPSCTL (binary), BENCH_ROOT (repo root), BENCH_WORK (scratch dir).
# Prints numbers and ratios; asserts nothing.
set -euo pipefail
root=${BENCH_ROOT:?}
work=${BENCH_WORK:?}/render
bin=${GITOPSCTL:?}
rm -rf "$work"
mkdir -p "$work"
cd "$root"

now_ms() { date +%s%3N; }

echo "building the repository generator and the helm CLI (helm module version from go.mod)..."
go build -o "$work/benchgen" ./internal/render/benchgen/cmd/benchgen
helm=$(./scripts/build-module-cli.sh helm helm.sh/helm/v3/cmd/helm)
echo "helm: $("$helm" version --short)"

"$work/benchgen" -n 15 -git "$work/seed"
gitops="$work/seed/gitops-repo"
configs="$work/seed/configs-repo"
apis=(--api-versions argoproj.io/v1alpha1 --api-versions bitnami.com/v1alpha1 --api-versions autoscaling/v2 --api-versions monitoring.coreos.com/v1)

helm_loop() {
  local n=0
  for chart in "$gitops"/charts/*/; do
    svc=$(basename "$chart")
    (cd "$chart" && "$helm" template . --name-template "$svc" --namespace "$svc" --kube-version v1.31.0 \
      --values "$chart/values.yaml" --values "$configs/$svc/config.yaml" --values "$configs/$svc/secrets.yaml" \
      "${apis[@]}" --include-crds) > "$work/helm-$svc.yaml"
    n=$((n + $(grep -c '^kind:' "$work/helm-$svc.yaml")))
  done
  echo "$n" > "$work/helm-objects"
}

best() { # best of 3 wall times in ms of "$@"
  local b=999999999 t0 t1
  for _ in 1 2 3; do
    t0=$(now_ms); "$@" >/dev/null; t1=$(now_ms)
    (( t1 - t0 < b )) && b=$((t1 - t0))
  done
  echo "$b"
}

render_all() { (cd "$gitops" && "$bin" render > "$work/gitopsctl.yaml"); }
render_rev() { (cd "$gitops" && "$bin" render --rev HEAD --configs-rev HEAD > /dev/null); }

helm_ms=$(best helm_loop)
g_ms=$(best render_all)
rev_ms=$(best render_rev)
g_objs=$(grep -c '^# Source: ' "$work/gitopsctl.yaml")
echo
echo "seed-size repo: 15 service apps (+ root app), $(cat "$work/helm-objects") objects from helm, $g_objs from gitopsctl (incl. the root app's manifests)"
printf '  helm template loop (15 runs): %6d ms\n' "$helm_ms"
printf '  gitopsctl render:             %6d ms   ratio %.1fx\n' "$g_ms" "$(echo "$helm_ms / $g_ms" | bc -l)"
printf '  gitopsctl render --rev HEAD:  %6d ms   ratio %.1fx (both repos read from git objects)\n' "$rev_ms" "$(echo "$helm_ms / $rev_ms" | bc -l)"

"$work/benchgen" -n 1000 -git "$work/big"
echo
echo "1,000 generated apps ($(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)):"
for mode in worktree rev; do
  args=()
  [ "$mode" = rev ] && args=(--rev HEAD --configs-rev HEAD)
  if [ -x /usr/bin/time ]; then
    (cd "$work/big/gitops-repo" && /usr/bin/time -v "$bin" render "${args[@]}" > /dev/null 2> "$work/time-$mode.txt") || true
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$mode.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$mode.txt")
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$work/time-$mode.txt")
    printf '  %-9s wall %s  cpu %ss  peak RSS %d MiB\n' "$mode" "$wall" "$cpu" "$((rss / 1024))"
  else
    t0=$(now_ms); (cd "$work/big/gitops-repo" && "$bin" render "${args[@]}" > /dev/null); t1=$(now_ms)
    printf '  %-9s wall %d ms (install GNU time for peak memory)\n' "$mode" "$((t1 - t0))"
  fi
done

echo
echo "Go benchmarks (internal/render):"
go test ./internal/render/ -run '^$' -bench . -benchtime 3x | grep -E '^Benchmark'
