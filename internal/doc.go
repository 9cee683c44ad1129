// Package internal holds gitopsctl's packages. It has no code of its own:
// this comment is the map of which packages may import which, and
// layering_test.go fails the build when an import breaks it.
//
// Layers, from the top:
//
//   - main: cmd/gitopsctl, the front users run, imports front only;
//     cmd/gitopsctl-engine, the whole tool, imports cli (and iostreams for
//     the real streams, earlygc first).
//   - tools: scripts/sealkit, render/benchgen/cmd/benchgen and
//     charts/chartstest/cmd/standins (stand-ins of the platform's upstream
//     charts, for the offline demo), programs for development. May import
//     anything below cli.
//   - cli: internal/cli, the cobra commands. Parses flags, calls one verb
//     package per command, prints what it returns. May import every verb and
//     shared package. internal/front, the front's one function: replays a
//     recorded run (replay) or runs the engine; it links shared packages
//     that start fast only (layering_test.go lists them).
//   - verb packages, one per job: scaffold (init, new-service), env, seal,
//     bump, render, diff, check, inventory (list). A verb package imports shared packages and
//     never another verb package, except these edges, each because one job
//     is built on another:
//     env → seal (env set/unset of a secret seals it);
//     seal → render (the SealedSecret's name and namespace come from
//     rendering the service's Application);
//     diff → render and check → render (both compare or inspect what the
//     renderer produces; render owns the inputs and affected-app
//     selection they share);
//     scaffold → render (new-service validates its chart through the one
//     Helm rendering path);
//     inventory → env and inventory → render (list and shell completion
//     show services' keys as env reads them, and the apps and projects
//     render discovers).
//   - shared packages, used by any verb: argo (Argo CD types and matching
//     rules), appset (the Applications an ApplicationSet generates),
//     charts (the remote chart cache), kustomize (Kustomize sources built
//     with the kustomize API), rendercache (renders kept by input digest),
//     replay (records of whole runs, checked by file metadata),
//     config (.gitopsctl.yaml), layout (repository layout names),
//     services (the configs-repo's service registry), gitrepo (files of a
//     git revision as an fs.FS), gitx (commit, push, diff, status, init,
//     identity), manifest, rules (the image-tag and node-port rules check
//     and new-service share), yamledit (byte-exact YAML edits), safeyaml,
//     dotenv, fsutil (atomic writes, locks), iostreams, earlygc (the
//     collector's pace, set before the other packages initialise), and
//     templates (the embedded files). A shared package imports only shared
//     packages.
//   - test support: gittest, seal/sealtest, render/benchgen,
//     charts/chartstest, testutil/readonly (read-only directories),
//     testutil/golden (golden files and the one -update flag). Imported by
//     tests and tools only; they import shared packages.
package internal
