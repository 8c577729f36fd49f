#!/usr/bin/env bash
# Builds a synthetic repository with a long history for benchmarks/git_bench.sh:
# COMMITS commits on one branch, each changing one line of one of 1,000 files
# in 50 directories (no secrets), packed with deltas as a real clone would be.
#
# usage: benchmarks/git_synthetic.sh DIR [COMMITS]   (default 100000)
#        benchmarks/git_bench.sh DIR
set -euo pipefail
dir=${1:?usage: git_synthetic.sh DIR [COMMITS]}
commits=${2:-100000}
[[ ! -e $dir ]] || { echo "git_synthetic: $dir exists" >&2; exit 2; }
git init -q -b main "$dir"
python3 - "$commits" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n = int(sys.argv[1])
out = sys.stdout
contents = {}
for i in range(n):
    f = "dir%02d/file%03d.txt" % (i % 50, i % 1000)
    c = contents.get(f, "") + "line %d value_%d\n" % (i, i * 7919 % 100003)
    if len(c) > 4000:
        c = c[-2000:]
    contents[f] = c
    msg = "commit %d\n" % i
    t = 1600000000 + i
    out.write("commit refs/heads/main\n")
    out.write("author A <a@example.com> %d +0000\ncommitter A <a@example.com> %d +0000\n" % (t, t))
    out.write("data %d\n%s" % (len(msg), msg))
    out.write("M 100644 inline %s\ndata %d\n%s\n" % (f, len(c.encode()), c))
PY
git -C "$dir" repack -q -a -d -f --depth=50 --window=10
git -C "$dir" checkout -q main
echo "$dir: $(git -C "$dir" rev-list --all | wc -l) commits, $(git -C "$dir" count-objects -vH | awk '/size-pack/ {print $2, $3}') packed" >&2
