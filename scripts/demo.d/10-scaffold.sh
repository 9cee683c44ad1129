# step: scaffold the seed's gitops-repo + configs-repo (init, 8 services, monitoring and tools)
set -euo pipefail
cd "$DEMO"

say() { printf '$ %s\n' "$*"; }

say gitopsctl init gitops-repo --configs configs-repo --registry ghcr.io/acme --platform --git
"$GITOPSCTL" init gitops-repo --configs configs-repo \
  --repo-url https://github.com/acme/gitops-repo.git \
  --configs-url https://github.com/acme/configs-repo.git \
  --cluster prod --registry ghcr.io/acme --platform --git | sed -n -e '/^Created/p' -e '/^Placeholder/,$p'

cd gitops-repo
kafka=KAFKA_BROKERS=kafka.kafka.svc.cluster.local:9092
new_service() {
  say gitopsctl new-service "$@"
  "$GITOPSCTL" new-service "$@" | head -n 1
}
new_service backend        --tag 1.4.2 --env LOG_LEVEL=info --env "$kafka" --env DB_HOST=postgres.data.svc.cluster.local
new_service ingestion      --tag 1.1.0 --env "$kafka" --env INGEST_TOPIC=events.raw
new_service processor      --tag 2.0.3 --env "$kafka" --env CONSUMER_GROUP=processor --hpa-max 20 --cpu-target 60
new_service ai-service     --tag 0.9.1 --port 8000 --health-path /health --smoke-path /health --k6-p95-ms 2000 --env MODEL_NAME=small
new_service admin-backend  --tag 1.2.0 --env LOG_LEVEL=info
new_service notification   --tag 1.0.0 --env SMTP_HOST=smtp.example.com --env "$kafka"
new_service frontend       --tag 3.2.0 --port 3000 --health-path / --smoke-path / --k6-p95-ms 800
new_service admin-frontend --tag 1.5.0 --port 3000 --health-path / --smoke-path / --hpa=false --replicas 2

say gitopsctl list
"$GITOPSCTL" list | sed 's/^/  /'

cd "$DEMO"
for repo in gitops-repo configs-repo; do
  git -C "$repo" add -A
  git -C "$repo" commit -q -m "Add the eight services"
done

# tree DIR: the repository's tracked files as a tree; a chart's files are
# summarised on its directory's line.
tree() {
  git -C "$1" ls-files | awk '
    { files[NR] = $0; if ($0 ~ /(^|\/)Chart\.yaml$/) { d = $0; sub(/\/?Chart\.yaml$/, "", d); chart[d] = 1 } }
    END {
      for (f = 1; f <= NR; f++) {
        n = split(files[f], p, "/"); path = ""
        for (i = 1; i <= n; i++) {
          path = path (i > 1 ? "/" : "") p[i]
          if (path in chart) { charts[path]++; if (!(path in seen)) { seen[path] = 1; order[++k] = path; depth[path] = i; label[path] = p[i] "/" } ; break }
          if (!(path in seen)) { seen[path] = 1; order[++k] = path; depth[path] = i; label[path] = p[i] (i < n ? "/" : "") }
        }
      }
      for (j = 1; j <= k; j++) {
        pth = order[j]; ind = ""
        for (i = 1; i < depth[pth]; i++) ind = ind "    "
        extra = (pth in chart) ? sprintf("  (chart, %d files)", charts[pth]) : ""
        print "  " ind label[pth] extra
      }
    }'
}

for repo in gitops-repo configs-repo; do
  echo
  echo "$repo/  ($(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" ls-files | wc -l | tr -d ' ') files)"
  tree "$repo"
done

echo
echo "gitops-repo/charts/backend/  (the pattern every service chart follows)"
git -C gitops-repo ls-files charts/backend | sed 's|^charts/backend/|  |'
echo
echo "configs-repo/backend/config.yaml"
sed 's/^/  /' configs-repo/backend/config.yaml
