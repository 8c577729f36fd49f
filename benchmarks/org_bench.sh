#!/usr/bin/env bash
# Org-scan benchmark (issue 14): an organization of REPOS local repositories
# (default 200; LARGE of them large), listed by a stand-in for GitHub's
# /orgs/ORG/repos (python3 -m http.server on 127.0.0.1 serving one JSON
# page) with file:// clone URLs. Run 1 clones and scans everything with a
# state file; then CHANGED repositories (default 10) get NEW commits each
# and run 2 scans again with the same state and mirrors. Wall time and peak
# RSS of both runs come from /usr/bin/time -v.
#
# usage: benchmarks/org_bench.sh [WORKDIR]   (default: a temporary directory)
#        REPOS=200 LARGE=5 LARGE_COMMITS=3000 CHANGED=10 NEW=5 CONCURRENCY=4
set -euo pipefail
cd "$(dirname "$0")/.."
repos=${REPOS:-200}
large=${LARGE:-5}
large_commits=${LARGE_COMMITS:-3000}
small_commits=${SMALL_COMMITS:-20}
changed=${CHANGED:-10}
new=${NEW:-5}
conc=${CONCURRENCY:-4}
work=${1:-$(mktemp -d)}
mkdir -p "$work"
echo "org_bench: work directory $work" >&2

go build -trimpath -o "$work/leakhound" .

# gen DIR COMMITS SEED [PARENT]: COMMITS commits on main by fast-import,
# each changing one line of one of 300 files (a few hold synthetic
# credentials), after PARENT when given.
gen() {
	python3 - "$2" "$3" "${4:-}" <<'PY'
import random, sys, string
n, seed, parent = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
alnum = string.ascii_letters + string.digits
out = sys.stdout
contents = {}
for i in range(n):
    f = "src/dir%02d/file%03d.txt" % (i % 20, rnd.randrange(300))
    line = "line %d value_%d\n" % (i, rnd.randrange(10**9))
    if rnd.random() < 0.01:
        # A strong random password under a secret's name: the generic
        # rules report it.
        line = "db_password = \"%s\"\n" % "".join(rnd.choice(alnum) for _ in range(24))
    c = contents.get(f, "") + line
    if len(c) > 6000:
        c = c[-3000:]
    contents[f] = c
    msg = "commit %d of %d\n" % (i, seed)
    t = 1600000000 + seed * 100000 + i
    out.write("commit refs/heads/main\n")
    out.write("author A <a@example.com> %d +0000\ncommitter A <a@example.com> %d +0000\n" % (t, t))
    out.write("data %d\n%s" % (len(msg), msg))
    if i == 0 and parent:
        out.write("from %s\n" % parent)
    out.write("M 100644 inline %s\ndata %d\n%s\n" % (f, len(c.encode()), c))
PY
}

echo "org_bench: generating $repos repositories ($large with $large_commits commits, the others $small_commits)" >&2
json="[" sep=""
for ((i = 0; i < repos; i++)); do
	name=$(printf 'repo-%03d' "$i")
	dir="$work/repos/$name.git"
	n=$small_commits
	((i < large)) && n=$large_commits
	if [[ ! -d $dir ]]; then
		git init -q --bare -b main "$dir"
		gen "$dir" "$n" "$i" | git -C "$dir" fast-import --quiet
		git -C "$dir" repack -q -a -d
	fi
	json+="$sep{\"full_name\":\"bench/$name\",\"clone_url\":\"file://$dir\",\"html_url\":\"https://github.example/bench/$name\",\"size\":1}"
	sep=","
done
mkdir -p "$work/api/orgs/bench"
echo "$json]" >"$work/api/orgs/bench/repos"
du -sh "$work/repos" >&2

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/api" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for ((t = 0; t < 100; t++)); do
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
	sleep 0.1
done

run() {
	local label=$1
	/usr/bin/time -v "$work/leakhound" org github bench --api-url "http://127.0.0.1:$port" \
		--cache-dir "$work/cache" --state "$work/state.json" --repo-concurrency "$conc" \
		--format json -o "$work/$label.json" 2>"$work/$label.log" || true
	grep -E '^(leakhound: (github|scanned)|error)' "$work/$label.log" | sed "s/^/$label: /" || true
	awk -v l="$label" '/Elapsed \(wall clock\)/ {print l ": wall " $NF} /Maximum resident set size/ {printf "%s: peak RSS %.0f MiB\n", l, $NF/1024} /Percent of CPU/ {print l ": CPU " $NF}' "$work/$label.log"
}

rm -rf "$work/cache" "$work/state.json"
run run1

echo "org_bench: $new new commits in each of $changed repositories" >&2
for ((i = 0; i < changed; i++)); do
	# Spread over small and large repositories.
	idx=$(((i * 37 + 3) % repos))
	dir="$work/repos/$(printf 'repo-%03d' "$idx").git"
	tip=$(git -C "$dir" rev-parse main)
	# A seed new on every invocation: the same content again would be
	# nothing new to scan.
	gen "$dir" "$new" "$((1000 + ($(date +%s) % 100000) * 16 + i))" "$tip" | git -C "$dir" fast-import --quiet
done
run run2
echo "run3 (nothing new):" >&2
run run3
