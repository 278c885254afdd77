#!/bin/sh
# selfcheck.sh [NN...]: the lab framework testing itself.
#
# For every lab NN (or only those given), in ascending order:
#   1. cut the handout for NN (scripts/lab/handout.sh) into a temporary
#      directory, and check that no solution region of lab NN or later
#      is left in it;
#   2. build it as a student would, `make all unit`, where any warning
#      is an error;
#   3. run lab NN's own tests alone there: the runner must say below full
#      marks (exit 1) and no test may pass, since a test that passes on
#      the stub gives points for nothing;
#   4. run the earlier labs' tests there (`--lab` of the lab before NN,
#      which goes down to 01): all must pass (exit 0), since the handout
#      keeps their solutions and a failure means a test of an earlier lab
#      depends on a later one;
#   5. check that no process of the handout is still running (a test that
#      forks must reap what it started even when the code under test is a
#      stub); any found is listed and killed.
# A runner exit of 2 (framework error) fails the check either way.  That
# the reference tree passes everything is checked by scripts/lab/test.sh.
#
# Prints one line per check, "selfcheck: lab 03 handout fails its own
# tests: ok", details under a failed one, and ends with "N passed, N
# failed"; the exit status is 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

work=$(mktemp -d /tmp/ddselfcheck.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
pass() { # NAME
	echo "selfcheck: $1: ok"
	passed=$((passed + 1))
}
fail() { # NAME [DETAIL-FILE]: the detail file's lines, indented, follow
	echo "selfcheck: $1: FAILED"
	[ -n "${2:-}" ] && [ -s "$2" ] && sed 's/^/    /' "$2"
	failed=$((failed + 1))
}

# What a failed build or test run says, short: the compiler's complaints
# or the failed tests with their explanation, else the end of the log.
explain() { # LOG > DETAIL
	if grep -q -e ' error: ' -e ' warning: ' "$1"; then
		grep -e ' error: ' -e ' warning: ' "$1" | head -n 30
	elif grep -q ': FAIL (' "$1"; then
		awk '/: FAIL \(/ { show = 1; print; next } /^(== |Passed:|Score:)/ { show = 0 } show' "$1" |
			head -n 60
		grep -e '^Score:' -e 'framework error' "$1"
	else
		tail -n 30 "$1"
	fi
}

all_labs=$(ls -d labs/[0-9][0-9]-*/ 2>/dev/null | sed 's#^labs/\([0-9][0-9]\)-.*#\1#' | sort -u)
if [ -z "$all_labs" ]; then
	echo "selfcheck: no labs in labs/" >&2
	exit 2
fi
want=
for arg in "$@"; do
	case $arg in
	'' | *[!0-9]*) echo "usage: sh scripts/lab/selfcheck.sh [NN...]" >&2; exit 2 ;;
	esac
	n=$(printf '%02d' "$(expr "$arg" + 0)")
	echo "$all_labs" | grep -qx "$n" || { echo "selfcheck: there is no lab $n" >&2; exit 2; }
	want="$want $n"
done

# The runner in a handout, with its own binaries and nothing from the
# caller's environment that could point it at the reference's.
run_in() { # TREE ARGS...
	dir=$1
	shift
	(cd "$dir" && env -u DRYDOCK_BIN -u DRYDOCK_PROBE -u DRYDOCK_ROOT \
		build/drydock script scripts/lab/run.lua "$@")
}

# Processes still running a program of the handout TREE: print them, kill
# them, and succeed if there was any.
leftovers() { # TREE
	found=1
	for exe in /proc/[0-9]*/exe; do
		pid=${exe#/proc/}
		pid=${pid%/exe}
		[ "$pid" = $$ ] && continue
		case $(readlink "$exe" 2>/dev/null) in
		"$1"/*)
			echo "pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
			kill -9 "$pid" 2>/dev/null
			found=0
			;;
		esac
	done
	return $found
}

start=$(date +%s)
prev=
for lab in $all_labs; do
	if [ -n "$want" ] && ! echo "$want" | grep -qw "$lab"; then
		prev=$lab
		continue
	fi
	tree=$work/lab$lab
	log=$work/lab$lab.log
	detail=$work/lab$lab.detail

	# 1. the cut
	if ! sh scripts/lab/handout.sh "$lab" "$tree" >"$log" 2>&1; then
		fail "lab $lab handout is cut" "$log"
		prev=$lab
		continue
	fi
	if ! build/ddhandout --list "$tree" >"$detail" 2>&1; then
		fail "lab $lab handout is cut (its markers do not parse)" "$detail"
		prev=$lab
		continue
	fi
	awk -v lab="$lab" '$2 + 0 >= lab + 0' "$detail" >"$detail.left"
	if [ -s "$detail.left" ]; then
		fail "lab $lab handout is cut (solutions of lab $lab or later are left)" "$detail.left"
		prev=$lab
		continue
	fi
	pass "lab $lab handout is cut"

	# 2. the build, as a student runs it
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tree" -j2 all unit >"$log" 2>&1; then
		explain "$log" >"$detail"
		fail "lab $lab handout builds without warnings" "$detail"
		prev=$lab
		continue
	fi
	pass "lab $lab handout builds without warnings"

	# 3. lab NN's own tests fail, every one
	run_in "$tree" --lab "$lab" --only >"$log" 2>&1
	rc=$?
	grep ': OK (' "$log" >"$detail.ok"
	if [ "$rc" = 1 ] && [ ! -s "$detail.ok" ]; then
		pass "lab $lab handout fails its own tests"
	elif [ "$rc" = 1 ] || [ "$rc" = 0 ]; then
		{
			echo "these tests pass on the stub:"
			sed 's/^/  /' "$detail.ok"
			grep '^Score:' "$log"
		} >"$detail"
		fail "lab $lab handout fails its own tests (runner exit $rc; $(wc -l <"$detail.ok") pass on the stub)" "$detail"
	else
		explain "$log" >"$detail"
		fail "lab $lab handout fails its own tests (runner exit $rc: framework error)" "$detail"
	fi

	# 4. the earlier labs' tests pass, every one
	if [ -n "$prev" ]; then
		earlier="labs $prev..01"
		[ "$prev" = 01 ] && earlier="lab 01"
		run_in "$tree" --lab "$prev" >"$log" 2>&1
		rc=$?
		if [ "$rc" = 0 ]; then
			pass "lab $lab handout passes $earlier"
		else
			explain "$log" >"$detail"
			why="runner exit $rc"
			[ "$rc" = 2 ] && why="runner exit 2: framework error"
			fail "lab $lab handout passes $earlier ($why)" "$detail"
		fi
	fi
	# 5. nothing left running: a test that forks must reap or kill what
	# it started, on the stub too
	if leftovers "$tree" >"$detail"; then
		fail "lab $lab handout's tests leave no processes behind (killed them)" "$detail"
	else
		pass "lab $lab handout's tests leave no processes behind"
	fi
	prev=$lab
	rm -rf "$tree" # keep /tmp small: each handout holds a full build
done
echo "selfcheck: took $(($(date +%s) - start))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
