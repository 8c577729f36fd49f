#!/usr/bin/env bash
# Whole-tool benchmark of a directory scan: leakhound against the scanners
# users would otherwise pick (gitleaks, betterleaks, trufflehog), each with its
# default rules and settings, plus a plain read of the same files as the floor.
#
# usage: benchmarks/dir_bench.sh [TARGET [RUNS]]
#   TARGET  directory to scan            (default: $(go env GOROOT)/src)
#   RUNS    timed runs per tool          (default: 5)
#
# environment:
#   BENCH_TOOLS  where to look for the other scanners' binaries first
#                (default: /work/bench-tools/bin), then PATH; a scanner found
#                in neither is left out of the table
#   TOOLS        which tools to run (default: "leakhound gitleaks betterleaks trufflehog")
#   OUT_DIR      where the table and the per-run CSV are written
#                (default: benchmarks/out, gitignored)
#
# leakhound is built from this checkout into a temporary directory; the other
# scanners are never built or fetched by this script. Runs go round-robin
# (run 1 of every tool, then run 2, ...) after one untimed read of the tree, so
# every tool sees a warm page cache and machine noise spreads over all of them.
# Each run writes its report to a temporary file (never /dev/null: gitleaks
# removes its report path), is timed with /usr/bin/time -v, and is counted for
# wall time, peak RSS and findings. The table shows medians.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:-$(go env GOROOT)/src}
runs=${2:-5}
bench_tools=${BENCH_TOOLS:-/work/bench-tools/bin}
tools=${TOOLS:-leakhound gitleaks betterleaks trufflehog}
out_dir=${OUT_DIR:-$repo/benchmarks/out}

die() { echo "dir_bench: $*" >&2; exit 2; }
[[ -d $target ]] || die "target $target is not a directory"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install time)"
target=$(cd "$target" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/dir_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out_txt=$out_dir/dir-$stamp.txt
out_csv=$out_dir/dir-$stamp.csv

# ---- leakhound, built from this checkout ---------------------------------
lh_version=$(cd "$repo" && git describe --tags --always --dirty 2>/dev/null || echo dev)
echo "building leakhound ($lh_version) ..." >&2
(cd "$repo" && go build -trimpath \
	-ldflags "-s -w -X github.com/leakhound/leakhound/cmd.Version=$lh_version" \
	-o "$work/leakhound" .)
(cd "$repo" && go build -o "$work/readfloor" benchmarks/readfloor.go)

find_tool() { # name -> path of an executable, or nothing
	if [[ -x $bench_tools/$1 ]]; then
		echo "$bench_tools/$1"
	else
		command -v "$1" 2>/dev/null || true
	fi
}

count_json_array() { # file -> number of entries in its top-level JSON array
	[[ -s $1 ]] || { echo "?"; return; }
	if command -v jq >/dev/null; then
		jq 'length' "$1" 2>/dev/null || echo "?"
	else
		python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1" 2>/dev/null || echo "?"
	fi
}

count_json_lines() { # file -> number of JSON objects, one a line
	[[ -e $1 ]] || { echo "?"; return; }
	grep -c '^{' "$1" || true
}

# ---- which tools, their command lines, their versions --------------------
declare -A bin ver
names=()
gitleaks_sub=()
for t in $tools; do
	case $t in
	leakhound) p=$work/leakhound ;;
	gitleaks | betterleaks | trufflehog) p=$(find_tool "$t") ;;
	*) die "unknown tool '$t' in TOOLS" ;;
	esac
	if [[ -z $p ]]; then
		echo "note: $t not found in $bench_tools or PATH, left out" >&2
		continue
	fi
	bin[$t]=$p
	names+=("$t")
	case $t in
	leakhound) ver[$t]=$("$p" version 2>&1 | head -1) ;;
	gitleaks | betterleaks) ver[$t]=$("$p" version 2>&1 | head -1) ;;
	trufflehog) ver[$t]=$("$p" --version 2>&1 | head -1) ;;
	esac
	if [[ $t == gitleaks ]]; then
		# gitleaks >= 8.19 has `dir`; older 8.x only `detect --no-git --source`.
		if "$p" --help 2>&1 | grep -qE '^[[:space:]]+dir[[:space:]]'; then
			gitleaks_sub=(dir "$target")
		else
			gitleaks_sub=(detect --no-git --source "$target")
		fi
	fi
done
[[ ${#names[@]} -gt 0 ]] || die "no tool to run"

# cmd_for TOOL REPORT -> fills the array `cmd`; trufflehog reports on stdout.
cmd_for() {
	local t=$1 report=$2 b=${bin[$1]}
	case $t in
	leakhound) cmd=("$b" dir "$target" --format json --output "$report" -q) ;;
	gitleaks) cmd=("$b" "${gitleaks_sub[@]}" --report-format json --report-path "$report" --no-banner --exit-code 0) ;;
	betterleaks) cmd=("$b" dir "$target" --report-format json --report-path "$report" --no-banner --exit-code 0) ;;
	trufflehog) cmd=("$b" filesystem "$target" --json --no-verification --no-update) ;;
	esac
}

# ---- the target ---------------------------------------------------------
files=$(find "$target" -type f | wc -l)
bytes=$(find "$target" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')

# One untimed read so every timed run starts from a warm page cache.
echo "warming the page cache ..." >&2
find "$target" -type f -print0 | xargs -0 cat >/dev/null

# ---- timed runs -----------------------------------------------------------
# time_run LABEL RUN STDOUT_FILE CMD... -> appends "label,run,wall_s,rss_kb,exit" to the CSV
time_run() {
	local label=$1 run=$2 stdout=$3
	shift 3
	local tf=$work/time.$label.$run
	# /usr/bin/time exits with the command's status; a scanner exits non-zero
	# when it finds something, so the status is recorded, not acted on.
	(cd "$work/cwd" && /usr/bin/time -v -o "$tf" "$@" >"$stdout" 2>"$work/stderr.$label.$run") || true
	local wall rss status
	read_time "$tf"
	echo "$label,$run,$wall,$rss,$status" >>"$out_csv"
	printf '  %-12s run %d: %8.2f s  %8.1f MiB  exit %s\n' "$label" "$run" "$wall" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$status" >&2
}

mkdir -p "$work/cwd" # an empty cwd: no .gitleaksignore or config is picked up by accident
echo "tool,run,wall_s,max_rss_kb,exit_status" >"$out_csv"
declare -A findings
for ((r = 1; r <= runs; r++)); do
	echo "round $r/$runs" >&2
	time_run read-floor "$r" /dev/null "$work/readfloor" "$target"
	time_run read-floor-cat "$r" /dev/null bash -c 'find "$1" -type f -print0 | xargs -0 cat >/dev/null' _ "$target"
	for t in "${names[@]}"; do
		report=$work/report.$t.$r.json
		cmd_for "$t" "$report"
		if [[ $t == trufflehog ]]; then
			time_run "$t" "$r" "$report" "${cmd[@]}"
			n=$(count_json_lines "$report")
		else
			time_run "$t" "$r" "$work/stdout.$t.$r" "${cmd[@]}"
			n=$(count_json_array "$report")
		fi
		# Findings should not change between runs; say so if they do.
		if [[ -z ${findings[$t]:-} ]]; then
			findings[$t]=$n
		elif [[ ${findings[$t]} != "$n" && ${findings[$t]} != *" (varies)" ]]; then
			findings[$t]="${findings[$t]} (varies)"
		fi
		rm -f "$report"
	done
done

# ---- table ----------------------------------------------------------------
median() { # label column -> median of that column over the label's runs
	awk -F, -v l="$1" -v c="$2" '$1 == l {print $c}' "$out_csv" | sort -g |
		awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

gl_wall=""
gl_rss=""
if [[ -n ${bin[gitleaks]:-} ]]; then
	gl_wall=$(median gitleaks 3)
	gl_rss=$(median gitleaks 4)
fi

{
	echo "# leakhound dir benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "target:  $target ($files files, $bytes bytes in regular files)"
	echo "runs:    $runs per tool, round-robin, warm page cache; medians shown"
	echo "machine: $(nproc) cores, $(uname -sr), $(go version | awk '{print $3}')"
	echo "command: benchmarks/dir_bench.sh $target $runs"
	echo
	echo "| tool | median wall s | MB/s | median peak RSS MiB | findings | wall vs gitleaks | RSS vs gitleaks |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for label in read-floor read-floor-cat "${names[@]}"; do
		w=$(median "$label" 3)
		k=$(median "$label" 4)
		f=${findings[$label]:--}
		awk -v label="$label" -v w="$w" -v k="$k" -v b="$bytes" -v f="$f" -v gw="$gl_wall" -v gk="$gl_rss" 'BEGIN {
			mbs = (w > 0) ? sprintf("%.1f", b / 1e6 / w) : "-"
			rw = (gw != "" && gw > 0) ? sprintf("%.2fx", w / gw) : "-"
			if (gw != "" && gw > 0 && w > 0 && w < gw) rw = rw sprintf(" (%.0fx faster)", gw / w)
			rk = (gk != "" && gk > 0) ? sprintf("%.2fx", k / gk) : "-"
			printf "| %s | %.2f | %s | %.1f | %s | %s | %s |\n", label, w, mbs, k / 1024, f, rw, rk
		}'
	done
	echo
	fw=$(median read-floor 3)
	for t in "${names[@]}"; do
		awk -v t="$t" -v w="$(median "$t" 3)" -v f="$fw" 'BEGIN { if (f > 0) printf "%s wall / read-floor wall: %.2fx\n", t, w / f }'
	done
	echo
	echo "MB/s = target bytes (regular files) / 10^6 / median wall time, the same numerator for every tool"
	echo "(tools that skip binaries or unpack archives read fewer or more bytes than that)."
	echo "read-floor = benchmarks/readfloor.go: every regular file read once, one at a time, into one reused buffer."
	echo "read-floor-cat = find TARGET -type f -print0 | xargs -0 cat > /dev/null (the floor of earlier tables; GNU cat"
	echo "maps a fresh 128 KiB buffer per file, which costs more than the read where page faults are dear)."
	echo
	echo "versions:"
	for t in "${names[@]}"; do
		echo "  $t: ${ver[$t]} (${bin[$t]})"
	done
	echo
	echo "command lines (REPORT = a temporary file):"
	for t in "${names[@]}"; do
		cmd_for "$t" REPORT
		line=${cmd[*]}
		line=${line//$work\//}
		[[ $t == trufflehog ]] && line="$line > REPORT"
		echo "  $line"
	done
	echo
	echo "per-run data: $out_csv"
} | tee "$out_txt"
echo "written: $out_txt" >&2
