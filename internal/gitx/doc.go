// Package gitx is everything the commands do with git beyond reading files
// at a revision (that is package gitrepo):
//
//   - Reader (OpenReader) answers the questions diff and check ask of the
//     two repositories: which paths changed between two revisions, or
//     between a revision and the work tree; which files are tracked or
//     staged.
//   - Repo (Open) commits a few known files with go-git without looking at
//     the rest of the work tree, and pushes the result with retries. A
//     commit is built from HEAD's tree with only the trees on the changed
//     paths rewritten; only those paths' index entries are updated, so files
//     that are staged stay staged and unstaged edits stay unstaged. Nothing
//     here runs a full work-tree status, which is slow on large
//     repositories.
//   - InitAndCommit makes the first commit of a new repository (init --git).
//   - Identities and Repo.Signatures resolve author and committer, one
//     rule for every command that commits.
package gitx
