# step: bump image tags (byte-exact edit, one commit, and two CI jobs racing to push)
set -euo pipefail
cd "$DEMO"
say() { printf '$ %s\n' "$*"; }

# Run standalone too: without the scaffold step, make a minimal gitops-repo.
if [ ! -d gitops-repo/charts/backend ]; then
  mkdir -p gitops-repo/charts/backend gitops-repo/charts/frontend
  echo "cluster: prod" > gitops-repo/.gitopsctl.yaml
  printf 'image:\n  repository: ghcr.io/acme/backend\n  tag: "1.4.2"   # set by CI\n' > gitops-repo/charts/backend/values.yaml
  printf 'image:\n  repository: ghcr.io/acme/frontend\n  tag: "3.2.0"\n' > gitops-repo/charts/frontend/values.yaml
  git -C gitops-repo init -q -b main
  git -C gitops-repo add -A
  git -C gitops-repo commit -q -m "initial"
fi
cd gitops-repo

say gitopsctl bump backend --tag 1.4.3
"$GITOPSCTL" bump backend --tag 1.4.3
say git show HEAD
git --no-pager show --format='commit %h  %an <%ae>%n    %s' HEAD | sed 's/^/  /'

say gitopsctl bump backend --tag 1.4.3   "# again: nothing to do, exit 0"
"$GITOPSCTL" bump backend --tag 1.4.3

say gitopsctl bump backend frontend --tag 1.5.0 -o json
"$GITOPSCTL" bump backend frontend --tag 1.5.0 -o json
git --no-pager log -1 --format='%B' | sed 's/^/  /'

echo "Errors are caught before anything is written:"
for args in "backend --tag latest" "backend --tag v1:2" "nosuch --tag 1.0.0"; do
  say gitopsctl bump $args
  "$GITOPSCTL" bump $args 2>&1 | head -n 1 | sed 's/^/  /' || true
done

# Two CI jobs bump different services from the same commit and push at once
# to a shared remote: one push is rejected, that job re-applies its edit on
# the new tip and pushes again. Both land; history stays linear.
race="$DEMO/bump-race"
rm -rf "$race"
mkdir -p "$race"
git init -q --bare -b main "$race/remote.git"
git -C "$DEMO/gitops-repo" push -q "$race/remote.git" HEAD:main
cd "$race"
git clone -q remote.git ci-a
git clone -q remote.git ci-b
say "(cd ci-a && gitopsctl bump backend --tag 1.6.0 --push) & (cd ci-b && gitopsctl bump frontend --tag 3.3.0 --push)"
(cd ci-a && "$GITOPSCTL" bump backend --tag 1.6.0 --push | sed 's/^/  ci-a: /') &
(cd ci-b && "$GITOPSCTL" bump frontend --tag 3.3.0 --push | sed 's/^/  ci-b: /') &
wait
say git log --oneline -3 main "(in the shared remote, bump-race/remote.git)"
git -C remote.git --no-pager log --oneline -3 main | sed 's/^/  /'
