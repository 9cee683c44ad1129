# step: env + seal: set config and secrets, seal with a throwaway key pair, check
# Needs the demo repositories from step 10 ($DEMO/gitops-repo, $DEMO/configs-repo).
# The controller key pair is generated here, under $DEMO, for this demo only:
# no key is ever part of the project.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
repo=$DEMO/gitops-repo
configs=$DEMO/configs-repo
tools=$DEMO/.tools
if [ ! -f "$repo/.gitopsctl.yaml" ] || [ ! -d "$configs/backend" ]; then
  echo "skipped: no demo repositories (step 10 creates them)"
  exit 0
fi
run() {
  printf '$ gitopsctl'
  printf ' %q' "$@"
  echo
  "$GITOPSCTL" "$@"
}

# A throwaway sealed-secrets controller key pair (4096-bit RSA, like the controller's).
(cd "$root" && go build -o "$tools/sealkit" ./scripts/sealkit)
"$tools/sealkit" keygen "$DEMO/sealing-key"
echo "demo controller key pair: $DEMO/sealing-key (outside both repos)"
# Install the public cert where .gitopsctl.yaml's sealing.cert points (teams
# commit the controller's public cert; never its key), so later steps find it.
certcfg=$(sed -n -e 's/^sealing:.*cert: *\([^ ,}]*\).*/\1/p' -e 's/^  cert: *\([^ #]*\).*/\1/p' "$repo/.gitopsctl.yaml" | head -n 1)
certcfg=${certcfg//\"/}
if [ -n "$certcfg" ] && [ "${certcfg#https://}" = "$certcfg" ]; then
  case $certcfg in /*) dest=$certcfg ;; *) dest=$repo/$certcfg ;; esac
  mkdir -p "$(dirname "$dest")"
  cp "$DEMO/sealing-key/tls.crt" "$dest"
  echo "installed the demo cert as sealing.cert: $certcfg"
  if [ -d "$repo/.git" ] && [ "${dest#"$repo"/}" != "$dest" ]; then
    git -C "$repo" add -- "${dest#"$repo"/}"
    git -C "$repo" commit -qm "sealing: the controller's public cert (demo)" -- "${dest#"$repo"/}" || true
  fi
else
  export GITOPSCTL_CERT=$DEMO/sealing-key/tls.crt # --cert for every command that seals
fi

# A second service besides backend.
other=$(cd "$configs" && for d in */; do d=${d%/}; [ "$d" != backend ] && [ -f "$d/config.yaml" ] && echo "$d"; done | head -n 1)
cd "$repo"

# Config keys go to config.yaml; secrets are sealed straight into secrets.yaml
# and kept in plaintext only in the git-ignored secrets.local.env.
run env set backend LOG_LEVEL=debug KAFKA_BROKERS=kafka.kafka.svc:9092
run env set backend --secret 'DB_PASSWORD=demo pa$$word "with quotes"' JWT_SECRET=demo-jwt-0123456789
if [ -n "$other" ]; then
  cat >"$DEMO/$other.env" <<ENV
# the old deployment's environment
LOG_LEVEL=info
FEATURE_FLAGS=search,recommendations
REDIS_PASSWORD='demo-redis'
API_TOKEN="demo-token\nwith a second line"
ENV
  run env import "$other" --from "$DEMO/$other.env"
  rm -f "$DEMO/$other.env"
fi

# Seal everything, then again: the second run changes no byte.
run seal --all
sum() { (cd "$configs" && find . -path ./.git -prune -o -type f -print | sort | xargs sha256sum); }
before=$(sum)
run seal --all
[ "$before" = "$(sum)" ] && echo "(second seal: no file changed)"

run env list backend
run seal --check

# Someone edits a plaintext value by hand: --check flags it (exit 3), and seal
# reseals exactly that key.
sed -i.bak 's/^JWT_SECRET=.*/JWT_SECRET=rotated-demo-jwt/' "$configs/backend/secrets.local.env"
rm -f "$configs/backend/secrets.local.env.bak"
if run seal --check; then :; else echo "(exit $?)"; fi
run seal --all

# The controller's own decryption path (v1alpha1 Unseal) accepts what was sealed.
ns=$("$GITOPSCTL" seal backend -o json | sed -n 's/^ *"namespace": "\(.*\)",*$/\1/p' | head -n 1)
echo "\$ sealkit unseal (the controller's code path, demo key)"
"$tools/sealkit" unseal "$DEMO/sealing-key/tls.key" "$configs" backend backend-secrets "${ns:-backend}"

# Commit the configs-repo: plaintext and seal state stay out of git.
cd "$configs"
[ -d .git ] || git init -q
echo "\$ git status --short --ignored"
git status --short --ignored
git add -A
git commit -qm "backend${other:+, $other}: env vars and sealed secrets"
git show --stat --format='commit %h %s' HEAD | cat
if git ls-files | grep -q '\.local\.'; then
  echo "plaintext was committed!" >&2
  exit 1
fi
