# step: diff and check: review a configs-repo change, then commit it through the pre-commit gate
set -euo pipefail
cd "$DEMO/gitops-repo"
configs="$DEMO/configs-repo"
svc=backend

run() { echo "\$ gitopsctl $*"; "$GITOPSCTL" "$@"; }
# diff and check exit 3 when they find changes or problems: show the code, keep going.
show() { echo "\$ gitopsctl $*"; set +e; "$GITOPSCTL" "$@"; code=$?; set -e; echo "(exit $code)"; }

echo "# Nothing changed yet: diff renders nothing and says so."
show diff

echo
echo "# Change a value of $svc in the configs-repo (not committed yet)."
if ! "$GITOPSCTL" env --help 2>&1 | grep -q "not yet available"; then
  run env set "$svc" LOG_LEVEL=debug
else
  echo "\$ sed -i 's/LOG_LEVEL: info/LOG_LEVEL: debug/' ../configs-repo/$svc/config.yaml"
  sed 's/LOG_LEVEL: info/LOG_LEVEL: debug/' "$configs/$svc/config.yaml" > "$configs/$svc/config.yaml.new"
  mv "$configs/$svc/config.yaml.new" "$configs/$svc/config.yaml"
fi
show diff
show diff --format markdown

echo
echo "# The pre-commit gate passes on the scaffolded repos."
run check

echo
echo "# Install the hook in both repos and commit the change through it."
run hook install --configs
git -C "$configs" add -A
git -C "$configs" commit -qm "$svc: LOG_LEVEL=debug"
echo "committed: $(git -C "$configs" log --oneline -1)"

echo
echo "# A plaintext secrets file forced into the index is refused by the hook."
printf 'DEMO_TOKEN=not-for-git\n' > "$configs/$svc/secrets.local.env"
git -C "$configs" add -f "$svc/secrets.local.env"
set +e
git -C "$configs" commit -qm "oops" 2>&1
code=$?
set -e
echo "(git commit exit $code: blocked)"
git -C "$configs" rm -q --cached "$svc/secrets.local.env"
rm -f "$configs/$svc/secrets.local.env"
