#!/bin/sh
# test.sh: every test of the tree, as `make test` runs it (after `make all unit`).
#
#   0. every include runs down the layers (scripts/check-layers.sh)
#   1. every cmocka binary in build/tests/unit/ (the labs' and core's)
#   2. the test framework's self-test (scripts/lab/selftest.lua)
#   3. the lab runner over every lab, plus the engine's own tests: the
#      reference tree must get full marks
#   4. the lab self-check (scripts/lab/selfcheck.sh), when present
#   5. nothing left behind: mounts, /tmp/dd* directories, processes
#
# The last line is "N passed, N failed" (unit test cases, self-test
# checks, scenario tests, self-check checks, leftover checks); the exit
# status is 1 if anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

DRYDOCK=build/drydock
UNIT_DIR=build/tests/unit
UNIT_TIMEOUT=600   # seconds for one unit binary
PASSED=0
FAILED=0
FAILURES=""        # one line per failed step, for the summary
WORK=$(mktemp -d /tmp/ddcheck-XXXXXX) || exit 2
trap 'rm -rf "$WORK"' EXIT

pass() { PASSED=$((PASSED + ${1:-1})); }
fail() {
	FAILED=$((FAILED + ${2:-1}))
	FAILURES="$FAILURES
  $1"
}
section() { printf '\n### %s\n' "$1"; }

# What might be left behind, before and after, to compare.
snapshot() {
	ls -d /tmp/dd* 2>/dev/null | grep -v "^$WORK\$" | sort >"$WORK/tmp.$1"
	awk '{ print $5 }' /proc/self/mountinfo | grep -e drydock -e '^/tmp/dd' | sort >"$WORK/mounts.$1"
}

if [ ! -x "$DRYDOCK" ]; then
	echo "test.sh: $DRYDOCK is missing: run 'make all unit' first" >&2
	exit 2
fi
snapshot before

# ---- 0. the layers ----------------------------------------------------------
section "layers (scripts/check-layers.sh)"
if sh scripts/check-layers.sh; then pass; else fail "an include runs up the layers (see above)"; fi

# ---- 1. unit tests -------------------------------------------------------
section "unit tests ($UNIT_DIR)"
found_unit=0
for bin in "$UNIT_DIR"/test_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	found_unit=1
	name=$(basename "$bin")
	CMOCKA_MESSAGE_OUTPUT=TAP timeout "$UNIT_TIMEOUT" "$bin" >"$WORK/unit.out" 2>"$WORK/unit.err"
	status=$?
	ok=$(grep -c '^ok ' "$WORK/unit.out")
	bad=$(grep '^not ok ' "$WORK/unit.out" | grep -vc '# SKIP')
	skipped=$(grep -c '^not ok .*# SKIP' "$WORK/unit.out")
	pass "$ok"
	[ "$bad" -gt 0 ] && fail "$name: $bad failed" "$bad"
	printf '%-28s %3d passed, %d failed, %d skipped\n' "$name" "$ok" "$bad" "$skipped"
	grep -A20 '^not ok ' "$WORK/unit.out" | grep -e '^not ok' -e '^# ' | grep -v '^# n*o*t* *ok - ' |
		sed 's/^/    /'
	# cmocka exits with the number of failures; anything else is a crash,
	# a time-out or a sanitizer's complaint after the tests ran.
	if [ "$status" -ne "$bad" ] || [ $((ok + bad + skipped)) -eq 0 ]; then
		fail "$name: exited with $status"
		echo "    $name exited with $status; its stderr ends with:"
		tail -n 20 "$WORK/unit.err" | sed 's/^/    /'
	fi
done
[ "$found_unit" -eq 1 ] || fail "no unit test binaries in $UNIT_DIR (run 'make unit')"

# ---- 2. the framework's self-test ---------------------------------------
section "framework self-test"
"$DRYDOCK" script scripts/lab/selftest.lua >"$WORK/self.out" 2>&1
status=$?
grep -v ': OK$' "$WORK/self.out"
counts=$(sed -n 's/^Selftest: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$WORK/self.out")
if [ -n "$counts" ]; then
	set -- $counts
	pass "$1"
	[ "$2" -gt 0 ] && fail "framework self-test: $2 failed" "$2"
fi
if [ -z "$counts" ] || { [ "$status" -ne 0 ] && [ "${2:-0}" -eq 0 ]; }; then
	fail "framework self-test exited with $status"
fi

# ---- 3. every lab on the reference tree, and the engine tests ------------
section "labs (scripts/lab/run.lua --all --core)"
"$DRYDOCK" script scripts/lab/run.lua --all --core >"$WORK/labs.out" 2>"$WORK/labs.err"
status=$?
cat "$WORK/labs.out" "$WORK/labs.err"
# "Passed: unit a/b, scenario c/d, core e/f"; unit cases were counted in 1.
counts=$(sed -n 's/^Passed: unit [0-9]*\/[0-9]*, scenario \([0-9]*\)\/\([0-9]*\), core \([0-9]*\)\/\([0-9]*\)$/\1 \2 \3 \4/p' \
	"$WORK/labs.out")
if [ -n "$counts" ]; then
	set -- $counts
	pass $(($1 + $3))
	[ $(($2 - $1 + $4 - $3)) -gt 0 ] && fail "scenario tests: $(($2 - $1 + $4 - $3)) failed" $(($2 - $1 + $4 - $3))
fi
if [ "$status" -eq 2 ]; then
	fail "the lab runner found framework errors (see above)"
elif [ "$status" -ne 0 ] && { [ -z "$counts" ] || [ $(($2 - $1 + $4 - $3)) -eq 0 ]; }; then
	# Below full marks through the manifests alone (a missing unit test).
	fail "the lab runner exited with $status: the reference tree is below full marks"
fi

# ---- 4. the lab self-check -----------------------------------------------
section "lab self-check (scripts/lab/selfcheck.sh)"
if [ -f scripts/lab/selfcheck.sh ]; then
	sh scripts/lab/selfcheck.sh >"$WORK/selfcheck.out" 2>&1
	status=$?
	cat "$WORK/selfcheck.out"
	# It may end with "N passed, N failed" like this script; otherwise
	# it counts as one check.
	counts=$(tail -n 1 "$WORK/selfcheck.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -n "$counts" ]; then
		set -- $counts
		pass "$1"
		[ "$2" -gt 0 ] && fail "lab self-check: $2 failed" "$2"
		[ "$status" -ne 0 ] && [ "$2" -eq 0 ] && fail "lab self-check exited with $status"
	elif [ "$status" -eq 0 ]; then
		pass
	else
		fail "lab self-check exited with $status"
	fi
else
	echo "skipped: scripts/lab/selfcheck.sh does not exist yet"
fi

# ---- 5. nothing left behind ----------------------------------------------
section "leftovers"
sleep 1   # let the last containers' processes finish exiting
snapshot after
leaked=$(comm -13 "$WORK/mounts.before" "$WORK/mounts.after")
if [ -n "$leaked" ]; then
	fail "mounts left behind: $(echo $leaked)"
	echo "mounts left behind:"; echo "$leaked" | sed 's/^/    /'
else
	pass; echo "no mounts left behind"
fi
leaked=$(comm -13 "$WORK/tmp.before" "$WORK/tmp.after")
if [ -n "$leaked" ]; then
	fail "directories left in /tmp: $(echo $leaked)"
	echo "directories left in /tmp:"; echo "$leaked" | sed 's/^/    /'
else
	pass; echo "no /tmp/dd* directories left behind"
fi
procs=$(pgrep -a -x ddprobe; pgrep -a -x drydock)
if [ -n "$procs" ]; then
	fail "processes left running: $(echo "$procs" | awk '{ print $1 }' | tr '\n' ' ')"
	echo "processes left running:"; echo "$procs" | sed 's/^/    /'
else
	pass; echo "no ddprobe or drydock processes left"
fi

# ---- summary -------------------------------------------------------------
section "summary"
if [ "$FAILED" -gt 0 ]; then
	echo "failed:$FAILURES"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
