// Package git is the source for git history and for the staged changes of
// a pre-commit hook. It reads the object database itself (packs, mapped,
// and loose objects: see odb), leaves to go-git what its reader does not
// handle, and never runs the git command.
//
// # History
//
// A history scan reads the object database once instead of diffing every
// commit against its parents (go-git's Patch/Tree.Diff is far too slow on
// long histories, and `git log -p` re-reads the same content many times):
//
//  1. Every ref is a starting point: HEAD, branches, tags, remote-tracking
//     refs, refs/stash and the stash reflog, and the HEADs of linked
//     worktrees. --branch and --range replace them.
//  2. The commits reachable from them are read (only their headers) and put
//     in topological order, parents first, older first among commits that
//     are ready at the same time.
//  3. Each commit's tree is walked, but a (tree, directory) pair already
//     walked for an earlier commit is skipped: an unchanged subtree is
//     never walked twice, so the walk costs about as much as the number of
//     distinct trees, not commits × files. The first commit whose walk
//     reaches a (blob, path) pair is the commit that introduced that blob
//     at that path; its author, email, date and message first line go into
//     the Origin of every chunk of that blob.
//  4. Each new (blob, path) pair is handed to a bounded pool of workers as
//     soon as it is found, so enumeration and scanning run together. The
//     workers share one pack reader, whose bounded cache holds delta bases
//     and recent objects by pack offset, so bases decoded by one worker
//     help the others; each has its own decompressor, and its own go-git
//     store for what the pack reader leaves to go-git.
//  5. Diffs only decide attribution. The parents' trees are walked in
//     step with the commit's, so for a changed file the worker knows its
//     versions in the parents. A new file is scanned whole; in a changed
//     file only the runs of lines that no parent version has are scanned
//     (as chunks placed at their real offsets and lines), so a secret that
//     stays in a file through a hundred edits is reported once, at the
//     commit that added the line, and a merge reports only what neither
//     side had. Comparing with every parent, not just the first, is what
//     keeps clean merges quiet.
//
// A blob is scanned once per path it appears at, never once per commit: a
// file kept unchanged through ten thousand commits is read once, while the
// same content committed at two paths (a copy, a rename) is scanned and
// reported at both, because rules and allowlists may depend on the path
// and a pre-commit user needs every location. Scanning once per (blob,
// path) rather than once per blob costs little: copies are rare next to
// the commits that leave a file unchanged.
//
// Messages are content too ("rotate: the old token was ..."): the full
// message of every selected commit is scanned, by a worker that reads the
// commit again (the walk keeps only the first line), and located at
// CommitMessagePath with the commit's metadata. Refs that lead to a blob
// or a tree (a tagged blob like git.git's junio-gpg-pub, a tagged tree),
// directly or through annotated tags, are scanned after the history: the
// blob at the ref's name, the tree's files at NAME:PATH, skipping what the
// history had at the same paths; annotated tags' messages are at
// NAME^{tag}. These come with every-ref scans only (not --range or
// --branch, which name histories).
//
// --range A..B, --since and --max-commits select a subset of commits. The
// trees of the commits just outside the subset (the parents of selected
// commits that were not selected) are walked first without scanning, so a
// blob that already existed before the subset is not reported as new in
// it: this matches what `git log -p A..B` would show.
//
// Exclude makes a scan incremental: the tips an earlier scan started from
// (Refs) are the A of a range against every current ref, so a nightly
// scan covers the day's commits; refs still naming an excluded object
// (an annotated tag already scanned) are left out too.
//
// go-git, for what it still reads, is set, process-wide, to hash objects
// with crypto/sha1 rather than its collision-detecting sha1cd (see
// the package init in git.go): it hashes every object it caches, and a scanner gains
// nothing from collision detection. The pack reader hashes nothing.
//
// # Pushes
//
// With Push set, the scan covers what a push brings, for a pre-receive
// hook (push.go). Every commit a ref of the repository reaches was
// accepted when it was pushed, so the commits scanned are those the new
// ref values reach and no ref does, as `git rev-list NEW --not --all`
// lists them. Walking all of the refs' history would cost the whole
// repository on every push; like git's own walk for this question, the
// walk goes newest first (committer date) from both sides at once and
// stops once only old commits are left, older than the new ones by a
// margin. A deleted ref brings nothing; after a force push, the old tip
// is walked first with the new commits' parents, so what the rewritten
// commits carry over unchanged is not reported again. Refs pushed to
// annotated tags, trees and blobs are scanned as above, unless the
// repository already stores the object.
//
// During the hook git keeps the pushed objects in a quarantine directory
// (GIT_OBJECT_DIRECTORY, with the repository's objects as
// GIT_ALTERNATE_OBJECT_DIRECTORIES) until the hook accepts them. The
// caller passes those directories in Push, and both the pack reader and
// go-git read them before the repository's own objects; the source never
// reads the environment itself, so an ordinary scan can't be redirected.
//
// # Staged changes
//
// With Staged set the index is compared with HEAD's tree and only the blobs
// that are new or changed are scanned (for a changed file, only its new
// lines), attributed to their path (no commit).
// It works before the first commit. Directories whose cache-tree entry in
// the index matches HEAD's tree are not read at all, which keeps a
// pre-commit hook fast in large repositories.
//
// # Failures
//
// A commit, tree or blob that can't be read (corrupt or truncated packfile,
// a shallow or partial clone, a malformed ref) is reported to the sink as a
// problem and the scan goes on with everything else. A shallow clone's
// missing history is one problem with the fetch that completes it, and a
// revision not found in a shallow clone says the clone is shallow.
//
// A repository's metadata is hostile input too. HEAD, refs, packed-refs,
// shallow, objects/info/alternates, pack indexes and loose objects are
// opened without blocking and read only if they are regular files, up to
// a size cap (metafile.go), so a FIFO or a link to /dev/zero planted in
// .git is a problem, not a hang or a flood; go-git reads through the same
// checks (safeFS). Alternates are followed as git does (relative paths
// from the objects directory, 5 levels deep), each directory once, and
// their loose objects are read as well as their packs. A target that is not
// a repository, or a clone that fails, stops the scan with an error. An
// empty repository yields nothing and no error.
package git
