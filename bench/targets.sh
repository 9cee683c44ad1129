#!/usr/bin/env bash
# The speed targets, measured the way users see them: repositories whose
# services are made by `gitopsctl new-service` (secrets imported with
# `env import`), medians of interleaved runs (A B A B ...: a slow moment
# of a shared machine hits both sides), the render cache cold (an empty
# cache directory every run) and warm where it applies. Prints one row per
# figure with its target; asserts nothing.
# Env: GITOPSCTL, BENCH_ROOT, BENCH_WORK (set by scripts/bench.sh);
# TARGETS_RUNS (interleaved runs, default 5), TARGETS_SERVICES (seal, 100),
# TARGETS_KEYS (keys per service, 10), BENCH_HEAVY_CHARTS (a directory of
# unpacked heavy charts with their dependencies vendored; without it the
# heavy row renders the 10 charts `benchgen -heavy` generates).
set -euo pipefail
: "${GITOPSCTL:?}" "${BENCH_ROOT:?}" "${BENCH_WORK:?}"
runs=${TARGETS_RUNS:-5}
services=${TARGETS_SERVICES:-100}
keys=${TARGETS_KEYS:-10}
w=$BENCH_WORK/targets
rm -rf "$w"
mkdir -p "$w"
cd "$BENCH_ROOT"
echo "building helm, kubeseal (module versions from go.mod), sealkit and benchgen..."
helm=$(./scripts/build-module-cli.sh helm helm.sh/helm/v3/cmd/helm)
kubeseal=$(./scripts/build-module-cli.sh kubeseal github.com/bitnami-labs/sealed-secrets/cmd/kubeseal)
go build -o "$w/sealkit" ./scripts/sealkit
go build -o "$w/benchgen" ./internal/render/benchgen/cmd/benchgen
"$w/sealkit" keygen "$w/key" >/dev/null
g=$GITOPSCTL

# secs CMD...: wall seconds of one run (output dropped, exit status ignored).
secs() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
# row FIGURE MEASURED TARGET VERDICT
row() { printf '%-58s %-26s %-22s %s\n' "$1" "$2" "$3" "$4"; }
atleast() { awk -v v="${1%x}" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "NOT MET" }'; }
below() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "met" : "NOT MET" }'; }
fresh_cache() { mktemp -d "$w/cache.XXXXXX"; }

# scaffold DIR N: a gitops-repo + configs-repo with N services made by
# new-service, KEYS secret keys each imported with env import, committed.
scaffold() {
  local dir=$1 n=$2 i svc k
  mkdir -p "$dir" "$dir/secrets"
  (cd "$dir" && "$g" init gitops-repo --registry ghcr.io/acme >/dev/null)
  cp "$w/key/tls.crt" "$dir/gitops-repo/sealed-secrets.pem"
  for i in $(seq 1 "$n"); do
    svc=$(printf 'svc-%03d' "$i")
    "$g" --repo "$dir/gitops-repo" new-service "$svc" >/dev/null
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-secrets\n  namespace: %s\ntype: Opaque\nstringData:\n' "$svc" "$svc" >"$dir/secrets/$svc.yaml"
    : >"$dir/$svc.env"
    for k in $(seq 1 "$keys"); do
      v=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
      echo "KEY_${k}_SECRET=$v" >>"$dir/$svc.env"
      echo "  KEY_${k}_SECRET: $v" >>"$dir/secrets/$svc.yaml"
    done
    "$g" --repo "$dir/gitops-repo" env import "$svc" --from "$dir/$svc.env" >/dev/null
  done
  for r in gitops-repo configs-repo; do
    git -C "$dir/$r" init -q -b main 2>/dev/null || true
    git -C "$dir/$r" add -A
    git -C "$dir/$r" -c user.name=bench -c user.email=bench@example.com commit -q -m bench
  done
}

echo "scaffolding $services services with new-service, $keys secret keys each (env import)..."
scaffold "$w/seal" "$services"
echo "scaffolding 15 services for render..."
keys_saved=$keys
keys=3
scaffold "$w/seed" 15
keys=$keys_saved
echo "generating 1,000 apps (benchgen) for diff..."
"$w/benchgen" -n 1000 -git "$w/big" >/dev/null
sed -i 's/LOG_LEVEL: info/LOG_LEVEL: debug/' "$w/big/configs-repo/svc-0500/config.yaml"

# --- seal
kubeseal_loop() {
  local f
  for f in "$w"/seal/secrets/*.yaml; do
    "$kubeseal" --cert "$w/key/tls.crt" --format yaml <"$f" >"$f.sealed"
  done
}
seal_repo=$w/seal/gitops-repo
warm=$(fresh_cache)
GITOPSCTL_RENDER_CACHE_DIR=$warm "$g" --repo "$seal_repo" seal --all >/dev/null
ks=() force=() force_relocate=() nochange_cold=() nochange_warm=()
for _ in $(seq 1 "$runs"); do
  ks+=("$(secs kubeseal_loop)")
  force+=("$(GITOPSCTL_RENDER_CACHE_DIR=$(fresh_cache) secs "$g" --repo "$seal_repo" seal --all --force)")
  # --no-cache: every service located again (rendered) while keys are encrypted.
  force_relocate+=("$(secs "$g" --no-cache --repo "$seal_repo" seal --all --force)")
  nochange_cold+=("$(GITOPSCTL_RENDER_CACHE_DIR=$(fresh_cache) secs "$g" --repo "$seal_repo" seal --all)")
  nochange_warm+=("$(GITOPSCTL_RENDER_CACHE_DIR=$warm secs "$g" --repo "$seal_repo" seal --all)")
done
ks_m=$(median "${ks[@]}")
force_m=$(median "${force[@]}")
forcer_m=$(median "${force_relocate[@]}")
ncc_m=$(median "${nochange_cold[@]}")
ncw_m=$(median "${nochange_warm[@]}")

# --- render, 15 apps
seed=$w/seed
apis=(--api-versions argoproj.io/v1alpha1 --api-versions bitnami.com/v1alpha1 --api-versions autoscaling/v2 --api-versions monitoring.coreos.com/v1)
helm_loop() {
  local chart svc
  for chart in "$seed"/gitops-repo/charts/*/; do
    svc=$(basename "$chart")
    (cd "$chart" && "$helm" template . --name-template "$svc" --namespace "$svc" --kube-version v1.31.0 \
      --values values.yaml --values "$seed/configs-repo/$svc/config.yaml" --values "$seed/configs-repo/$svc/secrets.yaml" \
      "${apis[@]}" --include-crds) >/dev/null
  done
}
rwarm=$(fresh_cache)
GITOPSCTL_RENDER_CACHE_DIR=$rwarm "$g" --repo "$seed/gitops-repo" render >/dev/null
# Warm: a render ran before (the front replays its record, package replay);
# also the engine alone on the same warm cache (GITOPSCTL_REPLAY=off).
GITOPSCTL_REPLAY=off GITOPSCTL_RENDER_CACHE_DIR=$rwarm "$g" --repo "$seed/gitops-repo" render >/dev/null
hl=() rc=() rw=() re=()
for _ in $(seq 1 "$runs"); do
  hl+=("$(secs helm_loop)")
  rc+=("$(GITOPSCTL_RENDER_CACHE_DIR=$(fresh_cache) secs "$g" --repo "$seed/gitops-repo" render)")
  rw+=("$(GITOPSCTL_RENDER_CACHE_DIR=$rwarm secs "$g" --repo "$seed/gitops-repo" render)")
  re+=("$(GITOPSCTL_REPLAY=off GITOPSCTL_RENDER_CACHE_DIR=$rwarm secs "$g" --repo "$seed/gitops-repo" render)")
done
hl_m=$(median "${hl[@]}")
rc_m=$(median "${rc[@]}")
rw_m=$(median "${rw[@]}")
re_m=$(median "${re[@]}")

# --- diff, 1 of 1,000 changed (one value of one app, in the configs-repo work tree)
big=$w/big/gitops-repo
sed -i 's/LOG_LEVEL: info/LOG_LEVEL: debug/' "$w/big/configs-repo/svc-0500/config.yaml"
dwarm=$(fresh_cache)
summary=$(cd "$big" && GITOPSCTL_RENDER_CACHE_DIR=$dwarm "$g" diff 2>&1 | grep 'apps\? changed' || true)
case $summary in
"1 app changed, 0 unchanged") ;;
*) echo "targets: the diff row expects exactly one changed app, got: ${summary:-no summary}" >&2 ;;
esac
dc=() dw=()
for _ in $(seq 1 "$runs"); do
  dc+=("$(cd "$big" && GITOPSCTL_RENDER_CACHE_DIR=$(fresh_cache) secs "$g" diff)")
  dw+=("$(cd "$big" && GITOPSCTL_RENDER_CACHE_DIR=$dwarm secs "$g" diff)")
done
dc_m=$(median "${dc[@]}")
dw_m=$(median "${dw[@]}")
# The developer's loop: that app's value edited anew since the last run
# (warm cache otherwise), then diff.
de=()
for i in $(seq 1 "$runs"); do
  sed -i "s/LOG_LEVEL: .*/LOG_LEVEL: edit-$i-$RANDOM/" "$w/big/configs-repo/svc-0500/config.yaml"
  de+=("$(cd "$big" && GITOPSCTL_RENDER_CACHE_DIR=$dwarm secs "$g" diff)")
done
sed -i "s/LOG_LEVEL: .*/LOG_LEVEL: debug/" "$w/big/configs-repo/svc-0500/config.yaml"
de_m=$(median "${de[@]}")

# --- heavy charts: BENCH_HEAVY_CHARTS (e.g. public charts unpacked with
# their dependencies vendored), else the charts benchgen -heavy generates
# (umbrellas with vendored subcharts, CRDs, big values, include/tpl).
heavy_row() {
  local dir=${BENCH_HEAVY_CHARTS:-} what
  if [ -n "$dir" ] && [ ! -d "$dir" ]; then
    row "render, heavy charts vs helm template loop" "not measured" ">= 0.8 x cores" "BENCH_HEAVY_CHARTS=$dir is not a directory"
    return
  fi
  if [ -z "$dir" ]; then
    dir=$w/heavy-charts what="10 generated"
    "$w/benchgen" -heavy "$dir" >/dev/null
  else
    what=$dir
  fi
  local h=$w/heavy chart name hv=() gv=()
  (cd "$w" && mkdir -p heavy && cd heavy && "$g" init gitops-repo --registry ghcr.io/acme >/dev/null)
  for chart in "$dir"/*/; do
    [ -f "$chart/Chart.yaml" ] || continue
    name=$(basename "$chart")
    cp -r "$chart" "$h/gitops-repo/charts/$name"
    printf 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: %s, namespace: argocd}\nspec:\n  project: default\n  destination: {server: https://kubernetes.default.svc, namespace: %s}\n  source: {repoURL: https://github.com/acme/gitops-repo.git, path: charts/%s}\n' \
      "$name" "$name" "$name" >"$h/gitops-repo/argo-apps/clusters/prod/$name.yaml"
  done
  heavy_helm() {
    local c
    for c in "$h"/gitops-repo/charts/*/; do
      "$helm" template "$(basename "$c")" "$c" --namespace "$(basename "$c")" --kube-version v1.31.0 --include-crds >/dev/null
    done
  }
  for _ in $(seq 1 "$runs"); do
    hv+=("$(secs heavy_helm)")
    gv+=("$(secs "$g" --repo "$h/gitops-repo" render --no-cache)")
  done
  local hm gm cores
  hm=$(median "${hv[@]}") gm=$(median "${gv[@]}") cores=$(nproc)
  row "render, heavy charts ($what) vs helm template loop" "$(ratio "$hm" "$gm") (${gm}s vs ${hm}s)" ">= $(awk -v c="$cores" 'BEGIN { printf "%.1f", 0.8 * c }')x (0.8 x $cores cores)" "$(atleast "$(ratio "$hm" "$gm")" "$(awk -v c="$cores" 'BEGIN { print 0.8 * c }')")"
}

echo
echo "Speed targets ($(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg), medians of $runs interleaved runs)"
row "figure" "measured" "target" ""
row "seal --all --force, $services svcs x $keys keys vs kubeseal/svc" "$(ratio "$ks_m" "$force_m") (${force_m}s vs ${ks_m}s)" ">= 3x" "$(atleast "$(ratio "$ks_m" "$force_m")" 3)"
row "seal --all --force, every service rendered (--no-cache)" "$(ratio "$ks_m" "$forcer_m") (${forcer_m}s)" "(>= 3x)" ""
row "seal --all, nothing changed, warm cache" "$(ratio "$ks_m" "$ncw_m") (${ncw_m}s)" ">= 10x" "$(atleast "$(ratio "$ks_m" "$ncw_m")" 10)"
row "seal --all, nothing changed, cold cache" "$(ratio "$ks_m" "$ncc_m") (${ncc_m}s)" "(>= 10x warm)" ""
row "diff, 1 app changed of 1,000, cold cache" "${dc_m}s" "< 1 s" "$(below "$dc_m" 1)"
row "diff, 1 app changed of 1,000, warm cache, same state" "${dw_m}s" "< 0.3 s" "$(below "$dw_m" 0.3)"
row "diff, same, that app edited anew since the last run" "${de_m}s" "< 0.3 s" "$(below "$de_m" 0.3)"
row "render, 15 new-service apps vs helm loop, cold cache" "$(ratio "$hl_m" "$rc_m") (${rc_m}s vs ${hl_m}s)" ">= 10x" "$(atleast "$(ratio "$hl_m" "$rc_m")" 10)"
row "render, 15 new-service apps vs helm loop, warm cache" "$(ratio "$hl_m" "$rw_m") (${rw_m}s)" ">= 50x" "$(atleast "$(ratio "$hl_m" "$rw_m")" 50)"
row "render, same, warm cache, engine only (no replay)" "$(ratio "$hl_m" "$re_m") (${re_m}s)" "" ""
heavy_row
mem=$(go test ./internal/diff -run '^$' -bench 'Unified20000$' -benchtime 1x -benchmem 2>/dev/null | awk '/^BenchmarkUnified20000/ { print $5 }')
if [ -n "$mem" ]; then
  row "unified diff, 20,000-line object, 1,000 changes" "$(awk -v b="$mem" 'BEGIN { printf "%.1f MiB", b / 1048576 }')" "linear in the input" "(input ~0.5 MiB)"
fi
