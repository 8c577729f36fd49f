#!/usr/bin/env bash
# Whole-tool benchmark of a git history scan: `leakhound git` against
# `gitleaks git` on the full history of a real repository, plus the start-up
# cost of `leakhound git --staged` (a pre-commit hook) in a repository with
# one staged file.
#
# usage: benchmarks/git_bench.sh [REPO [RUNS]]
#   REPO  a git repository (path, bare or not, or URL) to clone the history
#         from (default: https://github.com/go-git/go-git)
#   RUNS  timed runs per tool (default: 5; at least 3 makes a median)
#
# environment:
#   LEAKHOUND     a leakhound binary to use instead of building this checkout
#   GITLEAKS      a gitleaks binary to use; otherwise gitleaks is built from
#                 source in GITLEAKS_SRC (cloned from GITLEAKS_REPO if
#                 missing). Its code is never copied into this repository.
#   GITLEAKS_SRC  default /tmp/gitleaks-src
#   GITLEAKS_REPO default https://github.com/gitleaks/gitleaks
#   STAGED_RUNS   timed runs of the --staged measurement (default: 20)
#   OUT_DIR       where the table and the per-run CSV go (default:
#                 benchmarks/out)
#
# The repository is cloned afresh (`git clone --no-local`: one pack, branches
# as remote-tracking refs, tags) so both tools see what a user's clone holds.
# Runs go round-robin after one untimed run of each tool (warm page cache).
# Each run writes its report to a temporary file (never /dev/null: gitleaks
# removes its report path) and is timed with /usr/bin/time -v. leakhound is
# run twice: with its built-in rules, and with gitleaks' own default rules
# (config/gitleaks.toml from the gitleaks source) so findings compare rule
# for rule.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source_repo=${1:-https://github.com/go-git/go-git}
runs=${2:-5}
staged_runs=${STAGED_RUNS:-20}
gl_src=${GITLEAKS_SRC:-/tmp/gitleaks-src}
gl_repo=${GITLEAKS_REPO:-https://github.com/gitleaks/gitleaks}
out_dir=${OUT_DIR:-$repo_dir/benchmarks/out}

die() { echo "git_bench: $*" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install time)"
command -v git >/dev/null || die "needs git"

work=$(mktemp -d "${TMPDIR:-/tmp}/git_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir" "$work/cwd"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out_txt=$out_dir/git-$stamp.txt
out_csv=$out_dir/git-$stamp.csv

# ---- the tools -------------------------------------------------------------
if [[ -n ${LEAKHOUND:-} ]]; then
	lh=$LEAKHOUND
else
	echo "building leakhound ..." >&2
	(cd "$repo_dir" && go build -trimpath -ldflags "-s -w" -o "$work/leakhound" .)
	lh=$work/leakhound
fi
"$lh" git --help >/dev/null 2>&1 || die "$lh has no 'git' command (is NewCmdGit registered in cmd/root.go?)"

if [[ -n ${GITLEAKS:-} ]]; then
	gl=$GITLEAKS
else
	if [[ ! -d $gl_src/.git ]]; then
		echo "cloning gitleaks into $gl_src ..." >&2
		git clone -q "$gl_repo" "$gl_src"
	fi
	echo "building gitleaks in $gl_src ..." >&2
	gl_version=$(git -C "$gl_src" describe --tags --always 2>/dev/null || echo dev)
	(cd "$gl_src" && go build -ldflags "-X github.com/zricethezav/gitleaks/v8/version.Version=$gl_version" -o "$work/gitleaks" .)
	gl=$work/gitleaks
fi
gl_rules=$work/gitleaks-rules.toml
if [[ -f $gl_src/config/gitleaks.toml ]]; then
	# leakhound reads gitleaks configs; minVersion is gitleaks' own check.
	grep -v '^minVersion' "$gl_src/config/gitleaks.toml" >"$gl_rules"
fi

# ---- the repository --------------------------------------------------------
target=$work/repo
echo "cloning $source_repo ..." >&2
git clone -q --no-local "$source_repo" "$target"
commits=$(git -C "$target" rev-list --all | wc -l)
commits_no_merges=$(git -C "$target" rev-list --all --no-merges | wc -l)
read -r blobs blob_bytes < <(git -C "$target" rev-list --all --objects | cut -d' ' -f1 |
	git -C "$target" cat-file --batch-check='%(objecttype) %(objectsize)' |
	awk '$1 == "blob" {n++; s += $2} END {printf "%d %d\n", n, s}')
pack_bytes=$(du -sb "$target/.git/objects" | awk '{print $1}')

# ---- timed runs ------------------------------------------------------------
# time_run LABEL RUN CMD... -> appends "label,run,wall_s,rss_kb,exit" to the CSV
time_run() {
	local label=$1 run=$2
	shift 2
	local tf=$work/time.$label.$run
	(cd "$work/cwd" && /usr/bin/time -v -o "$tf" "$@" >"$work/stdout.$label.$run" 2>"$work/stderr.$label.$run") || true
	local wall rss status
	read_time "$tf"
	[[ $run == warm ]] || echo "$label,$run,$wall,$rss,$status" >>"$out_csv"
	printf '  %-22s run %s: %7.2f s  %7.1f MiB  exit %s\n' "$label" "$run" "$wall" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$status" >&2
}

labels=(gitleaks leakhound)
[[ -s $gl_rules ]] && labels+=(leakhound-gitleaks-rules)
cmd_for() { # label report -> fills `cmd`
	case $1 in
	gitleaks) cmd=("$gl" git "$target" --report-format json --report-path "$2" --no-banner --exit-code 0) ;;
	leakhound) cmd=("$lh" git "$target" --format json --output "$2") ;;
	leakhound-gitleaks-rules) cmd=("$lh" git "$target" --config "$gl_rules" --format json --output "$2") ;;
	esac
}
count() { # report -> entries in its JSON array
	if command -v jq >/dev/null; then jq length "$1" 2>/dev/null || echo "?"; else
		python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1" 2>/dev/null || echo "?"; fi
}

echo "tool,run,wall_s,max_rss_kb,exit_status" >"$out_csv"
declare -A findings
for ((r = 0; r <= runs; r++)); do
	run=$r
	((r == 0)) && run=warm
	echo "round $run" >&2
	for t in "${labels[@]}"; do
		report=$work/report.$t.$r.json
		cmd_for "$t" "$report"
		time_run "$t" "$run" "${cmd[@]}"
		findings[$t]=$(count "$report")
		[[ $t == leakhound ]] && cp "$report" "$work/leakhound.json"
		[[ $t == gitleaks ]] && cp "$report" "$work/gitleaks.json"
		rm -f "$report"
	done
done
lh_summary=$(grep -h 'leakhound:' "$work/stderr.leakhound.$runs" | tail -1 || true)

# ---- --staged start-up -----------------------------------------------------
# One staged file in a copy of the repository (its whole index to compare
# with HEAD) and in a new repository; the wall time of each run in ms.
staged_repo=$work/staged
git clone -q --no-local "$target" "$staged_repo"
printf 'token = "%s"\n' "not-a-secret-just-a-change" >>"$staged_repo/README.md"
git -C "$staged_repo" add README.md
small_repo=$work/small
git init -q "$small_repo"
echo "hello" >"$small_repo/a.txt"
git -C "$small_repo" add a.txt

ms_run() { # label run dir cmd... -> "label,run,ms" into the staged CSV
	local label=$1 run=$2 dir=$3
	shift 3
	local t0 t1
	t0=$(date +%s%N)
	(cd "$dir" && "$@" >/dev/null 2>&1) || true
	t1=$(date +%s%N)
	echo "$label,$run,$(((t1 - t0) / 1000))" >>"$work/staged.csv"
}
: >"$work/staged.csv"
staged_labels=("leakhound-staged-$(basename "$target")" "gitleaks-staged-$(basename "$target")" leakhound-staged-new-repo gitleaks-staged-new-repo leakhound-version)
for ((r = 0; r <= staged_runs; r++)); do
	ms_run "leakhound-staged-$(basename "$target")" "$r" "$staged_repo" "$lh" git --staged -q
	ms_run "gitleaks-staged-$(basename "$target")" "$r" "$staged_repo" "$gl" git --staged --pre-commit --no-banner --exit-code 0 .
	ms_run leakhound-staged-new-repo "$r" "$small_repo" "$lh" git --staged -q
	ms_run gitleaks-staged-new-repo "$r" "$small_repo" "$gl" git --staged --pre-commit --no-banner --exit-code 0 .
	ms_run leakhound-version "$r" "$small_repo" "$lh" version
done
# Run 0 of each is a warm-up and left out.
sed -i '/,0,/d' "$work/staged.csv"

# ---- table -----------------------------------------------------------------
median() { # csv label column -> median of that column over the label's runs
	awk -F, -v l="$2" -v c="$3" '$1 == l {print $c}' "$1" | sort -g |
		awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
gl_wall=$(median "$out_csv" gitleaks 3)
gl_rss=$(median "$out_csv" gitleaks 4)
{
	echo "# leakhound git benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "repository: $source_repo, cloned with git clone --no-local"
	echo "history:    $commits commits on all refs ($commits_no_merges without merges), $blobs unique blobs, $blob_bytes bytes of blob content, $pack_bytes bytes in .git/objects"
	echo "leakhound:  $lh_summary"
	echo "runs:       $runs per tool, round-robin after a warm-up round; medians shown"
	echo "machine:    $(nproc) cores, $(uname -sr), $(go version | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "gitleaks:   $("$gl" version 2>&1 | head -1)"
	echo "command:    benchmarks/git_bench.sh $source_repo $runs"
	echo
	echo "| tool | median wall s | median peak RSS MiB | findings | wall vs gitleaks | RSS vs gitleaks |"
	echo "|---|---:|---:|---:|---:|---:|"
	for t in "${labels[@]}"; do
		w=$(median "$out_csv" "$t" 3)
		k=$(median "$out_csv" "$t" 4)
		awk -v t="$t" -v w="$w" -v k="$k" -v f="${findings[$t]}" -v gw="$gl_wall" -v gk="$gl_rss" 'BEGIN {
			printf "| %s | %.2f | %.1f | %s | %.2fx faster | %.2fx |\n", t, w, k / 1024, f, gw / w, k / gk }'
	done
	echo
	echo "Pre-commit start-up: wall time of one run in ms, median of $staged_runs (after a warm-up run)."
	echo
	echo "| command | median ms |"
	echo "|---|---:|"
	for l in "${staged_labels[@]}"; do
		awk -v l="$l" -v m="$(median "$work/staged.csv" "$l" 3)" 'BEGIN { printf "| %s | %.1f |\n", l, m / 1000 }'
	done
} | tee "$out_txt"
echo "per-run CSV: $out_csv" >&2
