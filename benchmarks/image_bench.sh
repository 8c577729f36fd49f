#!/usr/bin/env bash
# Whole-tool benchmark of an image scan: `leakhound image` over a multi-layer
# image of about 380 MB uncompressed (190 MB of gzip layers) that
# benchmarks/image_corpus_gen.go builds: random binaries, 24,000 source-like
# text files, a 40 MB jar and a 40 MB tar.gz of logs, a whiteout, and five
# planted synthetic secrets. The same image is scanned as an OCI layout
# directory (gzip layers), a docker save tarball with gzip layers (as
# go-containerregistry writes it), one with uncompressed layers (as docker
# save writes it), and that one gzip-compressed (docker save | gzip). A
# second image of 16 text layers (many-layers.tar, 180 MB, and its .gz) shows
# that a compressed tarball is not read once per layer.
#
# usage: benchmarks/image_bench.sh [RUNS]
#   RUNS   timed runs per target (default: 3); the table shows medians
#
# environment:
#   CORPUS     where the image is built (default: ${TMPDIR:-/tmp}/leakhound-image-bench;
#              built once, reused while CORPUS/corpus.txt exists)
#   LEAKHOUND  a leakhound binary to time (default: built from this checkout)
#
# Each run writes a JSON report to a temporary file and is timed with
# /usr/bin/time -v. MB/s is the image's layer tar bytes (decimal MB)
# over the median wall time; CPU is user + system time (steadier than wall
# time on a shared machine); peak RSS is the median of the runs' maxima.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
corpus=${CORPUS:-${TMPDIR:-/tmp}/leakhound-image-bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$corpus/corpus.txt" ]; then
	echo "building the benchmark image in $corpus ..." >&2
	(cd "$repo" && go run benchmarks/image_corpus_gen.go "$corpus") >/dev/null
fi
bin=${LEAKHOUND:-}
if [ -z "$bin" ]; then
	(cd "$repo" && go build -trimpath -o "$tmp/leakhound" .)
	bin=$tmp/leakhound
fi
if ! "$bin" image --help >/dev/null 2>&1; then
	echo "$bin has no image command" >&2
	exit 1
fi

uncompressed=$(awk '/^uncompressed_bytes:/ {print $2}' "$corpus/corpus.txt")
many=$(awk '/^many_layers_bytes:/ {print $2}' "$corpus/corpus.txt")
compressed=$(awk '/^compressed_bytes:/ {print $2}' "$corpus/corpus.txt")
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "image: $((uncompressed / 1000000)) MB uncompressed, $((compressed / 1000000)) MB compressed, $(nproc) CPUs, $runs runs each"
echo
echo "| target | median wall (s) | MB/s (uncompressed) | median CPU (s) | median peak RSS (MB) | findings | files scanned |"
echo "|---|---|---|---|---|---|---|"
for target in layout image.tar docker-save.tar docker-save.tar.gz many-layers.tar many-layers.tar.gz; do
	: >"$tmp/wall"
	: >"$tmp/rss"
	: >"$tmp/cpu"
	for _ in $(seq "$runs"); do
		code=0
		/usr/bin/time -v "$bin" image "$corpus/$target" --format json -o "$tmp/report.json" 2>"$tmp/err" || code=$?
		if [ "$code" -gt 1 ]; then
			echo "leakhound exited $code:" >&2
			cat "$tmp/err" >&2
			exit 1
		fi
		awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$tmp/err" >>"$tmp/wall"
		awk -F': ' '/Maximum resident set size/ {print $2 / 1024}' "$tmp/err" >>"$tmp/rss"
		awk -F': ' '/User time \(seconds\)/ {u = $2} /System time \(seconds\)/ {s = $2} END {print u + s}' "$tmp/err" >>"$tmp/cpu"
	done
	size=$uncompressed
	case $target in many-layers*) size=$many ;; esac
	wall=$(median <"$tmp/wall")
	rss=$(median <"$tmp/rss")
	cpu=$(median <"$tmp/cpu")
	findings=$( (grep -o '"rule_id"' "$tmp/report.json" || true) | wc -l)
	files=$(sed -n 's/.*scanned \([0-9]*\) files.*/\1/p' "$tmp/err")
	printf '| %s | %.2f | %.0f | %.2f | %.0f | %d | %s |\n' "$target" "$wall" "$(echo "$size $wall" | awk '{print $1 / 1e6 / $2}')" "$cpu" "$rss" "$findings" "$files"
done
