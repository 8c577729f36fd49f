# Shared by the benchmark scripts (sourced, not run).
#
# read_time FILE: parse the report of `/usr/bin/time -v -o FILE ...` and set
# the variables wall (seconds), rss (peak KiB) and status (exit status, or
# "signal" when the command was killed).
read_time() {
	wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {
		n = split($2, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
		printf "%.3f", s }' "$1")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$1")
	status=$(awk -F': ' '/Exit status/ {print $2}' "$1")
	[[ -n $status ]] || status=signal
}
