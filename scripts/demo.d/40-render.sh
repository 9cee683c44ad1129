# step: render: what Argo CD will deploy, offline, from the working tree or any commit
set -euo pipefail
repo="$DEMO/gitops-repo"
if [ ! -f "$repo/.gitopsctl.yaml" ]; then
  # Without the scaffold step, render a generated seed-size pair of repositories.
  go run ./internal/render/benchgen/cmd/benchgen -n 15 -git "$DEMO/render-demo"
  repo="$DEMO/render-demo/gitops-repo"
fi
cd "$repo"

echo "\$ gitopsctl list apps      # every Application the App of Apps manages"
"$GITOPSCTL" list apps | sed 's/^/  /'
echo
echo "\$ gitopsctl list projects"
"$GITOPSCTL" list projects | sed 's/^/  /'

echo
echo "\$ gitopsctl render             # every app; objects per app:"
"$GITOPSCTL" render > "$DEMO/rendered.yaml"
sed -n 's|^# Source: \([^/]*\)/.*|\1|p' "$DEMO/rendered.yaml" | sort | uniq -c | sed 's/^/ /'

app=$(sed -n 's|^# Source: \([^/]*\)/.*|\1|p' "$DEMO/rendered.yaml" | grep -v '^root-app$' | awk 'NR == 1')
if [ -n "$app" ]; then
  echo
  echo "\$ gitopsctl render $app | sed -n 1,30p"
  "$GITOPSCTL" render "$app" | sed -n 1,30p
  echo "  ..."
  if git rev-parse -q --verify HEAD >/dev/null 2>&1; then
  echo
  echo "\$ gitopsctl render $app --rev HEAD --out $DEMO/rendered   # the committed chart, one file per object"
  "$GITOPSCTL" render "$app" --rev HEAD --out "$DEMO/rendered"
  ls "$DEMO/rendered/$app" | sed 's/^/  /'
  fi
fi
