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
env_help=$("$GITOPSCTL" env --help 2>&1 || true)
if [ "${env_help#*not yet available}" = "$env_help" ]; then
  run env set "$svc" LOG_LEVEL=warn
else
  echo "\$ sed -i 's/LOG_LEVEL: info/LOG_LEVEL: warn/' ../configs-repo/$svc/config.yaml"
  sed 's/LOG_LEVEL: info/LOG_LEVEL: warn/' "$configs/$svc/config.yaml" > "$configs/$svc/config.yaml.new"
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
git -C "$configs" commit -qm "$svc: LOG_LEVEL=warn"
echo "committed: $(git -C "$configs" log --oneline -1)"

seal_help=$("$GITOPSCTL" seal --help 2>&1 || true)
if [ -f "$configs/$svc/secrets.local.env" ] && [ "${seal_help#*--check}" != "$seal_help" ]; then
  echo
  echo "# A secret added to the plaintext file but not sealed: check says so."
  printf 'DEMO_API_KEY=demo-api-key-123\n' >> "$configs/$svc/secrets.local.env"
  show check
  run seal "$svc"
  show diff "$svc"
  run check
  git -C "$configs" add -A
  git -C "$configs" commit -qm "$svc: seal DEMO_API_KEY"
  echo "committed: $(git -C "$configs" log --oneline -1)"
fi

echo
echo "# A plaintext secrets file forced into the index is refused by the hook."
leak="$svc/leaked.local.env"
printf 'DEMO_TOKEN=not-for-git\n' > "$configs/$leak"
git -C "$configs" add -f "$leak"
set +e
git -C "$configs" commit -qm "oops" 2>&1
code=$?
set -e
echo "(git commit exit $code: blocked)"
git -C "$configs" rm -q --cached "$leak"
rm -f "$configs/$leak"
