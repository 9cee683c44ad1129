#!/usr/bin/env bash
# bump + commit on a large repository vs. the git CLI doing the same
# (sed + git add + git commit). Generates a repository with 20,000 files
# and 2,000 commits with git fast-import, then times N bumps of each.
# Env: GITOPSCTL (binary), BENCH_WORK (scratch dir). Prints a ratio; asserts nothing.
set -euo pipefail
: "${GITOPSCTL:?}" "${BENCH_WORK:?}"
FILES=${BUMP_BENCH_FILES:-20000}
COMMITS=${BUMP_BENCH_COMMITS:-2000}
N=${BUMP_BENCH_N:-20}
SERVICES=200
dir="$BENCH_WORK/bump-repo"
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-bench}" GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-bench@example.com}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-bench}" GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-bench@example.com}"

now_ms() { date +%s%3N; }

if [ ! -f "$dir/.bench-ready-$FILES-$COMMITS" ]; then
  rm -rf "$dir"
  git init -q -b main "$dir"
  t0=$(now_ms)
  # One commit with every file (SERVICES charts with values.yaml and filler
  # files), then COMMITS-1 commits each changing one filler file.
  awk -v files="$FILES" -v commits="$COMMITS" -v svcs="$SERVICES" 'BEGIN {
    per = int(files / svcs)
    printf "commit refs/heads/main\nmark :1\ncommitter bench <bench@example.com> 1700000000 +0000\ndata 4\ninit\n"
    cfg = "cluster: prod\n"
    printf "M 100644 inline .gitopsctl.yaml\ndata %d\n%s\n", length(cfg), cfg
    n = 1
    for (s = 0; s < svcs; s++) {
      svc = sprintf("svc-%04d", s)
      v = sprintf("# values for %s\nreplicaCount: 1\n\nimage:\n  repository: ghcr.io/acme/%s\n  tag: v0.0.1 # set by CI\n  pullPolicy: IfNotPresent\n\nservice:\n  port: 8080\n", svc, svc)
      printf "M 100644 inline charts/%s/values.yaml\ndata %d\n%s\n", svc, length(v), v
      for (f = 1; f < per && n < files; f++) {
        c = sprintf("# %s file %d\nkind: ConfigMap\nmetadata:\n  name: %s-%d\n", svc, f, svc, f)
        printf "M 100644 inline charts/%s/templates/f%04d.yaml\ndata %d\n%s\n", svc, f, length(c), c
        n++
      }
      n++
    }
    for (i = 2; i <= commits; i++) {
      svc = sprintf("svc-%04d", i % svcs)
      f = (i % (per - 1)) + 1
      c = sprintf("# %s file %d revision %d\nkind: ConfigMap\n", svc, f, i)
      printf "commit refs/heads/main\nmark :%d\ncommitter bench <bench@example.com> %d +0000\ndata %d\nchange %d\nfrom :%d\n", i, 1700000000 + i, length("change " i), i, i - 1
      printf "M 100644 inline charts/%s/templates/f%04d.yaml\ndata %d\n%s\n", svc, f, length(c), c
    }
  }' | git -C "$dir" fast-import --quiet
  git -C "$dir" reset -q --hard main
  touch "$dir/.git/info/exclude"; echo ".bench-ready-*" >> "$dir/.git/info/exclude"
  touch "$dir/.bench-ready-$FILES-$COMMITS"
  echo "generated $(git -C "$dir" ls-files | wc -l) files, $(git -C "$dir" rev-list --count HEAD) commits in $(( $(now_ms) - t0 )) ms"
fi
cd "$dir"
git status --porcelain >/dev/null   # warm the index stat cache for both

# Warm-up (page cache, binary).
"$GITOPSCTL" bump svc-0001 --tag v-warm >/dev/null
sed -i 's/^  tag: .*/  tag: v-warm # set by CI/' charts/svc-0002/values.yaml
git add charts/svc-0002/values.yaml && git commit -q -m warm

t0=$(now_ms)
for i in $(seq 1 "$N"); do
  "$GITOPSCTL" bump svc-0001 --tag "v1.0.$i" >/dev/null
done
ours=$(( $(now_ms) - t0 ))

t0=$(now_ms)
for i in $(seq 1 "$N"); do
  sed -i "s/^  tag: .*/  tag: v1.0.$i # set by CI/" charts/svc-0002/values.yaml
  git add charts/svc-0002/values.yaml
  git commit -q -m "svc-0002: bump image tag to v1.0.$i"
done
theirs=$(( $(now_ms) - t0 ))

test -z "$(git status --porcelain)" || { echo "work tree not clean after the bench" >&2; exit 1; }
echo "repo: $(git ls-files | wc -l) files, $(git rev-list --count HEAD) commits"
echo "gitopsctl bump (edit+commit): $(( ours / N )) ms/op"
echo "sed + git add + git commit:   $(( theirs / N )) ms/op"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio gitopsctl/git: %.2fx (target <= 2x)\n", a / b }'
