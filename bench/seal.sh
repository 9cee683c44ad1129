#!/usr/bin/env bash
# Seal 100 services x 10 secret keys: `gitopsctl seal --all` (every key forced,
# then a run where nothing changed) against the seal-all.sh way (one kubeseal
# process per service over a Secret manifest with that service's keys), and
# against the bare crypto cost (N x HybridEncrypt). Prints times and ratios;
# asserts nothing about speed. kubeseal is built from the sealed-secrets
# module version in go.mod.
# Env: GITOPSCTL, BENCH_ROOT, BENCH_WORK (set by scripts/bench.sh);
# SEAL_BENCH_SERVICES / SEAL_BENCH_KEYS change the size.
set -euo pipefail
: "${GITOPSCTL:?}" "${BENCH_ROOT:?}" "${BENCH_WORK:?}"
services=${SEAL_BENCH_SERVICES:-100}
keys=${SEAL_BENCH_KEYS:-10}
w=$BENCH_WORK/seal
rm -rf "$w"
mkdir -p "$w"

cd "$BENCH_ROOT"
ssver=$(go list -m -f '{{.Version}}' github.com/bitnami-labs/sealed-secrets)
echo "building kubeseal $ssver and the sealkit helper..."
kubeseal_bin=$(./scripts/build-module-cli.sh kubeseal github.com/bitnami-labs/sealed-secrets/cmd/kubeseal)
go build -o "$w/sealkit" ./scripts/sealkit
"$w/sealkit" keygen "$w/key" # throwaway 4096-bit controller key pair
cert=$w/key/tls.crt

# A gitops-repo + configs-repo with $services seed-shaped services (real
# charts and Applications from the render benchmark's generator, so seal
# locates each SealedSecret by rendering), $keys secret keys each.
go build -o "$w/benchgen" ./internal/render/benchgen/cmd/benchgen
"$w/benchgen" -n "$services" "$w" >/dev/null
repo=$w/gitops-repo configs=$w/configs-repo
mkdir -p "$w/secrets" "$w/sealed"
printf 'sealing: {cert: %s, scope: strict}\n' "$cert" >>"$repo/.gitopsctl.yaml"
for dir in "$configs"/*/; do
  svc=$(basename "$dir")
  # Start unsealed (the generator seals a few demo keys of its own).
  printf 'sealedSecrets:\n  scope: strict\n  certFingerprint: ""\n  encryptedData: {}\n' >"$configs/$svc/secrets.yaml"
  {
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-secrets\n  namespace: %s\ntype: Opaque\nstringData:\n' "$svc" "$svc"
  } >"$w/secrets/$svc.yaml"
  for k in $(seq 1 "$keys"); do
    v=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    echo "KEY_$k=$v" >>"$configs/$svc/secrets.local.env"
    echo "  KEY_$k: $v" >>"$w/secrets/$svc.yaml"
  done
  chmod 600 "$configs/$svc/secrets.local.env" # as env set writes it
done
total=$((services * keys))

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
snapshot() { (cd "$configs" && find . -type f | sort | xargs sha256sum); }

echo "sealing $services services x $keys keys = $total keys..."
t0=$(now)
"$GITOPSCTL" --repo "$repo" seal --all --force >/dev/null
t1=$(now)
forced=$(elapsed "$t0" "$t1")
snapshot >"$w/before.sum"

t0=$(now)
"$GITOPSCTL" --repo "$repo" seal --all >/dev/null
t1=$(now)
nochange=$(elapsed "$t0" "$t1")
snapshot >"$w/after.sum"
if cmp -s "$w/before.sum" "$w/after.sum"; then unchanged="yes"; else unchanged="NO (files changed!)"; fi

# The seal-all.sh way: one kubeseal process per service. It reseals every key
# on every run, so its "nothing changed" run costs the same as a forced one.
t0=$(now)
for f in "$w"/secrets/*.yaml; do
  "$kubeseal_bin" --cert "$cert" --format yaml <"$f" >"$w/sealed/$(basename "$f")"
done
t1=$(now)
kubeseal=$(elapsed "$t0" "$t1")

read -r bare_seq bare_par cpus < <("$w/sealkit" crypto-cost "$cert" "$total")

printf '\n%-44s %10s\n' "run ($services services x $keys keys, $cpus CPUs)" "seconds"
printf '%-44s %10s\n' "kubeseal, one process per service" "$kubeseal"
printf '%-44s %10s\n' "gitopsctl seal --all --force" "$forced"
printf '%-44s %10s\n' "gitopsctl seal --all (nothing changed)" "$nochange"
printf '%-44s %10s\n' "bare crypto: $total x HybridEncrypt, 1 CPU" "$bare_seq"
printf '%-44s %10s\n' "bare crypto: $total x HybridEncrypt, $cpus CPUs" "$bare_par"
echo
echo "first seal of every key: gitopsctl is $(ratio "$kubeseal" "$forced") faster than kubeseal"
echo "the run after it:        gitopsctl is $(ratio "$kubeseal" "$nochange") faster than kubeseal; no byte changed: $unchanged"
echo "(one run each, the first ever: every app is rendered to locate its SealedSecret, and the run after"
echo " it renders again because every key set changed; the targets, with repeated runs, are in 'targets')"
echo "forced run vs bare crypto over $cpus CPUs: $(ratio "$forced" "$bare_par") of the crypto floor"
