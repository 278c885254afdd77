#!/bin/sh
# selfcheck.sh: the lab framework testing itself.
#
# For every lab NN: cut the handout for NN, build it with warnings as
# errors, and check that
#   - every one of lab NN's own tests fails on its stubs (a test that
#     passes on the stub cannot tell a student anything), and
#   - every earlier lab's tests still pass (the handout keeps their
#     solutions).
# The reference tree passing everything is checked by `make test` itself.
# Prints one line per check and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
top=$PWD
work=$(mktemp -d /tmp/ddselfcheck.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
check() { # check NAME OK(0/1) [DETAIL-FILE]
	if [ "$2" = 0 ]; then
		echo "selfcheck: $1: ok"
		passed=$((passed + 1))
	else
		echo "selfcheck: $1: FAILED"
		# What went wrong: failed tests with their explanation, else the end of the log.
		if [ -n "${3:-}" ] && [ -f "$3" ]; then
			if grep -q ": FAIL (" "$3"; then
				awk '/: FAIL \(/ { show = 1; print; next } /^== / { show = 0 } show' "$3"
			else
				tail -n 40 "$3"
			fi | sed 's/^/    /'
		fi
		failed=$((failed + 1))
	fi
}

labs=$(ls -d labs/[0-9][0-9]-* | sed 's#labs/\([0-9][0-9]\)-.*#\1#' | sort)
prev=
for lab in $labs; do
	tree="$work/lab$lab"
	log="$work/lab$lab.log"
	if ! sh scripts/lab/handout.sh "$lab" "$tree" >"$log" 2>&1; then
		check "lab $lab handout is cut" 1 "$log"
		prev=$lab
		continue
	fi
	# SAN= : the handout's unit tests build without sanitizers, for time.
	if ! make -C "$tree" -j2 SAN= all unit >"$log" 2>&1; then
		check "lab $lab handout builds without warnings" 1 "$log"
		prev=$lab
		continue
	fi
	check "lab $lab handout builds without warnings" 0

	# The handout's own binaries, not whatever the caller's environment says.
	run() { (cd "$tree" && env -u DRYDOCK_BIN -u DRYDOCK_PROBE -u DRYDOCK_ROOT \
		build/drydock script scripts/lab/run.lua "$@"); }

	run --lab "$lab" --only >"$work/own$lab.out" 2>&1
	rc=$?
	passing=$(grep -c ": OK (" "$work/own$lab.out")
	if [ "$rc" = 1 ] && [ "$passing" = 0 ]; then
		check "lab $lab handout fails every one of its own tests" 0
	elif [ "$rc" = 1 ]; then
		grep ": OK (" "$work/own$lab.out" >"$work/own$lab.pass"
		check "lab $lab handout fails its own tests ($passing pass on the stub)" 1 "$work/own$lab.pass"
	else
		check "lab $lab handout fails its own tests (runner exit $rc, want 1)" 1 "$work/own$lab.out"
	fi
	if [ -n "$prev" ]; then
		run --lab "$prev" >"$work/prev$lab.out" 2>&1
		rc=$?
		check "lab $lab handout passes labs $prev..01 (runner exit $rc)" \
			"$([ "$rc" = 0 ] && echo 0 || echo 1)" "$work/prev$lab.out"
	fi
	prev=$lab
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
