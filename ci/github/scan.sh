#!/usr/bin/env bash
# The leakhound GitHub Action's scan step (action.yml runs it): decide from
# the event which commits to scan, take the config from the trusted side
# of the change, scan, upload SARIF to code scanning, fail on findings.
#
# What is scanned:
#   pull_request         base.sha..head.sha: only what the pull request adds
#   push                 before..after; a new branch, or a force push whose
#                        old tip is gone: the commits not on the default
#                        branch; a deleted branch: nothing
#   anything else        (schedule, workflow_dispatch) every commit of every ref
#
# Whose config: the commit the range starts from (the pull request's base,
# the commit before the push, the default branch), read with git show, never
# the tree under scan: a pull request that adds an allowlist for its own
# secret must not pass. In-tree configs and ignore files are ignored
# (--no-repo-config).
#
# Inputs come as INPUT_* variables; LEAKHOUND is the binary.
set -uo pipefail

lh=${LEAKHOUND:-leakhound}
tmp=${RUNNER_TEMP:-$(mktemp -d)}
event=${GITHUB_EVENT_NAME:-}
ev=${GITHUB_EVENT_PATH:-/dev/null}
zero=0000000000000000000000000000000000000000
format=${INPUT_FORMAT:-text}
fail_on=${INPUT_FAIL_ON:-any}
category=${INPUT_CATEGORY:-leakhound}

log() { echo "leakhound-action: $*" >&2; }
fail() { echo "::error title=leakhound::$1" >&2; exit "${2:-2}"; }
field() { jq -r "$1 // empty" "$ev"; }
have() { git cat-file -e "$1^{commit}" 2>/dev/null; }

case "$fail_on" in
any | verified | never) ;;
*) fail "fail-on: '$fail_on': want any, verified or never" ;;
esac
verify=false
case "${INPUT_VERIFY:-false}" in
true | 1 | yes) verify=true ;;
false | 0 | no | "") ;;
*) fail "verify: '$INPUT_VERIFY': want true or false" ;;
esac
if [ "$fail_on" = verified ] && [ "$verify" != true ]; then
	fail "fail-on: verified needs verify: true"
fi

cd "${GITHUB_WORKSPACE:-.}" || fail "no workspace"
git rev-parse --git-dir >/dev/null 2>&1 || fail "no git repository in the workspace: run actions/checkout first (with fetch-depth: 0)"
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
	log "the checkout is shallow: fetching the history (set fetch-depth: 0 on actions/checkout to skip this)"
	git fetch --quiet --unshallow --tags origin '+refs/heads/*:refs/remotes/origin/*' || fail "could not fetch the history" 3
fi

range=""  # --range A..B
branch="" # --branch REV, for a first push of the default branch
trusted="" # commit the config is read from
fork=false
case "$event" in
pull_request | pull_request_target)
	base=$(field .pull_request.base.sha)
	head=$(field .pull_request.head.sha)
	[ -n "$base" ] && [ -n "$head" ] || fail "the event has no pull_request.base.sha or head.sha"
	if [ "$(field .pull_request.head.repo.full_name)" != "$(field .pull_request.base.repo.full_name)" ]; then
		fork=true
	fi
	have "$head" || git fetch --quiet --no-tags origin "$head" || fail "could not fetch the pull request's head $head" 3
	have "$base" || git fetch --quiet --no-tags origin "$base" || fail "could not fetch the pull request's base $base" 3
	range="$base..$head"
	trusted=$base
	;;
push)
	before=$(field .before)
	after=$(field .after)
	if [ "$after" = "$zero" ]; then
		log "the push deleted $(field .ref): nothing to scan"
		exit 0
	fi
	[ -n "$after" ] || fail "the event has no after commit"
	if [ -n "$before" ] && [ "$before" != "$zero" ] && have "$before"; then
		# A force push too: before..after is what after has that before had not.
		range="$before..$after"
		trusted=$before
	else
		default=$(field .repository.default_branch)
		if [ -n "$default" ] && have "refs/remotes/origin/$default" &&
			[ "$(git rev-parse "refs/remotes/origin/$default")" != "$(git rev-parse "$after")" ]; then
			range="refs/remotes/origin/$default..$after"
			trusted=refs/remotes/origin/$default
		else
			# The first push of the default branch: all of it.
			branch=$after
			trusted=$after
		fi
	fi
	;;
*)
	trusted=HEAD
	;;
esac

args=(--no-repo-config)
config=${INPUT_CONFIG:-}
if [ -z "$config" ]; then
	for c in .leakhound.toml .gitleaks.toml; do
		if git cat-file -e "$trusted:$c" 2>/dev/null; then
			config=$c
			break
		fi
	done
fi
if [ -n "$config" ]; then
	git show "$trusted:${config#./}" >"$tmp/leakhound-config.toml" 2>/dev/null ||
		fail "config $config is not in $trusted, the commit the scan trusts (the base of the change)"
	args+=(--config "$tmp/leakhound-config.toml")
	log "rules: $config as of $trusted"
fi
for ig in .leakhoundignore .gitleaksignore; do
	if git cat-file -e "$trusted:$ig" 2>/dev/null; then
		git show "$trusted:$ig" >"$tmp/leakhound-ignore"
		args+=(--ignore-file "$tmp/leakhound-ignore")
		log "ignore file: $ig as of $trusted"
		break
	fi
done
if [ "$verify" = true ]; then
	args+=(--verify --verify-cache "$tmp/leakhound-verify-cache.json")
fi
if [ "$fail_on" = verified ]; then
	args+=(--fail-on verified)
fi
[ -n "$range" ] && args+=(--range "$range")
[ -n "$branch" ] && args+=(--branch "$branch")
# Extra arguments are split on white space, as on a command line.
read -r -a extra <<<"${INPUT_ARGS:-}"

log "scanning ${range:-${branch:-every ref}}"
sarif=$tmp/leakhound.sarif
"$lh" git . "${args[@]}" "${extra[@]}" --format sarif --output "$sarif"
code=$?
{
	echo "sarif=$sarif"
	echo "exit-code=$code"
} >>"${GITHUB_OUTPUT:-/dev/null}"
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
	fail "the scan failed (exit $code)" "$code"
fi

if [ "$format" != sarif ]; then
	# A second pass over the same commits for the job log (the report is
	# one format per scan); verification answers come from the cache.
	out=$tmp/leakhound-report
	"$lh" git . "${args[@]}" "${extra[@]}" --format "$format" --output "$out" --quiet
	cat "$out"
	if [ "$format" = markdown ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		cat "$out" >>"$GITHUB_STEP_SUMMARY"
	fi
fi

case "${INPUT_UPLOAD:-true}" in
true | 1 | yes)
	if [ "$(jq -r '.runs[0].invocations[0].executionSuccessful' "$sarif")" = false ]; then
		# Code scanning closes the alerts an upload lacks: a partial
		# scan must not close alerts for what it did not read.
		echo "::warning title=leakhound::the scan did not finish: its SARIF was not uploaded, so no alert is closed by mistake"
	elif [ "$fork" = true ]; then
		echo "::notice title=leakhound::a pull request from a fork gets a read-only token: the SARIF was not uploaded to code scanning; the findings are in this log"
	else
		GITHUB_TOKEN=${INPUT_TOKEN:-${GITHUB_TOKEN:-}} "$lh" upload-sarif "$sarif" --category "$category" ||
			fail "the upload to code scanning failed" 3
	fi
	;;
esac

if [ "$code" -eq 1 ] && [ "$fail_on" != never ]; then
	echo "::error title=leakhound::secrets found in ${range:-${branch:-the repository}}: revoke them, then remove them from the history" >&2
	exit 1
fi
exit 0
