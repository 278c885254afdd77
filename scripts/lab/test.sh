#!/bin/sh
# test.sh: every test of the tree, as `make test` runs it (after `make all unit`).
#
#   0. every include runs down the layers (scripts/check-layers.sh)
#   1. every cmocka binary in build/tests/unit/ (scripts/lab/unit.lua:
#      read by test number, sanitizer reports charged to their test)
#   2. the test framework's self-test (scripts/lab/selftest.lua)
#   3. the lab runner over every lab, plus the engine's own tests: the
#      reference tree must get full marks
#   4. the lab self-check (scripts/lab/selfcheck.sh), when present
#   5. nothing left behind, compared with what there was before the run:
#      processes (any name: the suite runs under build/ddreap, a child
#      subreaper, so every orphan comes back to it), mounts, temporary
#      directories ($TMPDIR is the suite's own for the run, anything left
#      in it counts; new dd* directories in /tmp and the caller's $TMPDIR
#      count too), the hostname, network
#      links, nft tables, cgroups (every cgroup and cgroup2 mount), and
#      /var/lib/drydock and /run/drydock
#
# Counts are honest: "tests" are test results alone (unit cases, self-test
# checks, scenario and core tests); a skip is counted and shown with its
# reason, and fails the run unless tests/expected-skips names the test.
# The layer check, the self-check and the leftover check are steps,
# reported on lines of their own.  Exit status 1 if anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

DRYDOCK=build/drydock
REAP=build/ddreap
UNIT_DIR=build/tests/unit
UNIT_TIMEOUT=600   # seconds for one unit binary
EXPECTED_SKIPS=tests/expected-skips

for bin in "$DRYDOCK" "$REAP"; do
	if [ ! -x "$bin" ]; then
		echo "test.sh: $bin is missing: run 'make all unit' first" >&2
		exit 2
	fi
done
# Run the whole suite as a child of the subreaper.
if [ "${DDREAP_PID:-}" != "$PPID" ]; then
	exec "$REAP" sh "$0" "$@"
fi

PASSED=0 FAILED=0 SKIPPED=0 EXPECTED=0
STEPS=""           # one line per step (layers, self-check, leftovers)
FAILURES=""        # one line per failure, for the summary
CALLER_TMP=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$CALLER_TMP/ddcheck-XXXXXX") || exit 2
SUITE_TMP=$(mktemp -d "$CALLER_TMP/ddsuite-XXXXXX") || exit 2
# Lab 04's containers run as host ids other than root's, and its rootless
# test as a user of its own: they must pass through (never read) the
# folder that holds the tests' state roots.
chmod 711 "$SUITE_TMP"
trap 'rm -rf --one-file-system "$WORK" "$SUITE_TMP"' EXIT

tests() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); SKIPPED=$((SKIPPED + ${3:-0})); }
failure() { FAILURES="$FAILURES
  $1"; }
step() { STEPS="$STEPS
$1"; }
section() { printf '\n### %s\n' "$1"; }

# ---- what there is before the run ------------------------------------------
# One file per kind of thing, sorted, to compare after the run.
snapshot() {
	s=$WORK/$1
	hostname >"$s.hostname"
	ip -o link 2>/dev/null | awk -F': ' '{ print $2 }' | sort >"$s.links"
	if command -v nft >/dev/null; then nft list tables 2>&1 | sort >"$s.nft"; else echo "(no nft)" >"$s.nft"; fi
	# Every mount as target, type and source (ids change, these do not).
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1), $(i + 2); break } }' \
		/proc/self/mountinfo | sort >"$s.mounts"
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' \
		/proc/self/mountinfo | sort -u | while read -r m; do find "$m" -mindepth 1 -type d; done |
		sort >"$s.cgroups"
	find /var/lib/drydock /run/drydock 2>/dev/null | sort >"$s.state"
	# Directories only: the shared /tmp also holds other people's files.
	for d in /tmp "$CALLER_TMP"; do find "$d" -mindepth 1 -maxdepth 1 -type d -name 'dd*'; done |
		grep -v -x -e "$WORK" -e "$SUITE_TMP" | sort -u >"$s.tmp"
}
snapshot before
export TMPDIR="$SUITE_TMP"   # what the suite makes in $TMPDIR is found, whatever its name

section "before the run"
echo "hostname: $(cat "$WORK/before.hostname")"
echo "links: $(tr '\n' ' ' <"$WORK/before.links")"
echo "nft tables: $(grep -c . "$WORK/before.nft") $(tr '\n' ' ' <"$WORK/before.nft")"
echo "mounts: $(wc -l <"$WORK/before.mounts")"
echo "cgroup directories: $(wc -l <"$WORK/before.cgroups")"
echo "/var/lib/drydock and /run/drydock: $(wc -l <"$WORK/before.state") entries"
echo "dd* directories in /tmp and \$TMPDIR: $(wc -l <"$WORK/before.tmp") $(tr '\n' ' ' <"$WORK/before.tmp")"
echo "processes: run under $REAP (pid $DDREAP_PID); the suite's TMPDIR is $SUITE_TMP"

# ---- 0. the layers ----------------------------------------------------------
section "layers (scripts/check-layers.sh)"
if sh scripts/check-layers.sh; then
	step "layers: OK"
else
	step "layers: FAILED"; failure "an include runs up the layers (see above)"
fi

# A skip (label, reason) expected by tests/expected-skips, one test name a
# line, "#" comments?  Counted either way; an unexpected one fails.
skip_seen() {
	if [ -f "$EXPECTED_SKIPS" ] && sed 's/#.*//; s/[[:space:]]*$//' "$EXPECTED_SKIPS" | grep -qxF -- "$1"; then
		EXPECTED=$((EXPECTED + 1))
		echo "skipped (expected): $1: $2"
	else
		failure "skipped, and not in $EXPECTED_SKIPS: $1: $2"
		echo "skipped (NOT expected): $1: $2"
	fi
}

# ---- 1. unit tests -------------------------------------------------------
section "unit tests ($UNIT_DIR)"
set --
for bin in "$UNIT_DIR"/test_*; do
	[ -f "$bin" ] && [ -x "$bin" ] && set -- "$@" "$bin"
done
if [ $# -eq 0 ]; then
	failure "no unit test binaries in $UNIT_DIR (run 'make unit')"
else
	"$DRYDOCK" script scripts/lab/unit.lua --timeout "$UNIT_TIMEOUT" "$@" >"$WORK/unit.out" 2>&1
	status=$?
	grep -v '^SKIP ' "$WORK/unit.out"
	counts=$(sed -n 's/^Unit: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped, \([0-9]*\) problems$/\1 \2 \3 \4/p' \
		"$WORK/unit.out")
	if [ -n "$counts" ]; then
		set -- $counts
		tests "$1" "$2" "$3"
		[ "$2" -gt 0 ] && failure "unit tests: $2 failed"
		[ "$4" -gt 0 ] && failure "unit test binaries: $4 problems (PROBLEM lines above)"
	else
		failure "scripts/lab/unit.lua exited with $status and no counts"
	fi
	sed -n 's/^SKIP unit [^ ]* \([^:]*\): \(.*\)$/\1\t\2/p' "$WORK/unit.out" >"$WORK/unit.skips"
	while IFS='	' read -r name reason; do skip_seen "$name" "$reason"; done <"$WORK/unit.skips"
fi
# The lab runner reports the labs' unit skips again: seen once is enough.
cut -f1 "$WORK/unit.skips" >"$WORK/unit.skips.names" 2>/dev/null || : >"$WORK/unit.skips.names"

# ---- 2. the framework's self-test ---------------------------------------
section "framework self-test"
"$DRYDOCK" script scripts/lab/selftest.lua >"$WORK/self.out" 2>&1
status=$?
grep -v ': OK$' "$WORK/self.out"
counts=$(sed -n 's/^Selftest: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$WORK/self.out")
if [ -n "$counts" ]; then
	set -- $counts
	tests "$1" "$2"
	[ "$2" -gt 0 ] && failure "framework self-test: $2 failed"
fi
if [ -z "$counts" ] || { [ "$status" -ne 0 ] && [ "${2:-0}" -eq 0 ]; }; then
	failure "framework self-test exited with $status"
fi

# ---- 3. every lab on the reference tree, and the engine tests ------------
section "labs (scripts/lab/run.lua --all --core)"
"$DRYDOCK" script scripts/lab/run.lua --all --core >"$WORK/labs.out" 2>"$WORK/labs.err"
status=$?
cat "$WORK/labs.out" "$WORK/labs.err"
# "Passed: unit a/b, scenario c/d, core e/f" and "Skipped: unit x,
# scenario y, core z"; unit cases were counted in 1.
counts=$(sed -n 's/^Passed: unit [0-9]*\/[0-9]*, scenario \([0-9]*\)\/\([0-9]*\), core \([0-9]*\)\/\([0-9]*\)$/\1 \2 \3 \4/p' \
	"$WORK/labs.out")
skips=$(sed -n 's/^Skipped: unit [0-9]*, scenario \([0-9]*\), core \([0-9]*\)$/\1 \2/p' "$WORK/labs.out")
bad=0
if [ -n "$counts" ] && [ -n "$skips" ]; then
	set -- $counts $skips
	bad=$(($2 - $1 - $5 + $4 - $3 - $6))
	tests $(($1 + $3)) "$bad" $(($5 + $6))
	[ "$bad" -gt 0 ] && failure "scenario and core tests: $bad failed"
	# The scenario and core skips; a lab's unit skips were seen in 1.
	sed -n 's/^== \(lab [0-9]*\|core\) == \(.*\): SKIP (\(.*\)) ([0-9.]*s)$/\2\t\3/p' \
		"$WORK/labs.out" >"$WORK/labs.skips"
	while IFS='	' read -r name reason; do
		grep -qxF -- "$name" "$WORK/unit.skips.names" || skip_seen "$name" "$reason"
	done <"$WORK/labs.skips"
else
	failure "the lab runner exited with $status and no counts"
fi
if [ "$status" -eq 2 ]; then
	failure "the lab runner found framework errors (see above)"
elif [ "$status" -ne 0 ] && [ -n "$counts" ] && [ "$bad" -eq 0 ] && [ "${5:-0}${6:-0}" = "00" ]; then
	# Below full marks through the manifests alone (a missing unit test,
	# a failed lab unit test, counted in 1).
	failure "the lab runner exited with $status: the reference tree is below full marks"
fi

# ---- 4. the lab self-check -----------------------------------------------
section "lab self-check (scripts/lab/selfcheck.sh)"
if [ -f scripts/lab/selfcheck.sh ]; then
	sh scripts/lab/selfcheck.sh >"$WORK/selfcheck.out" 2>&1
	status=$?
	cat "$WORK/selfcheck.out"
	# It ends with "N passed, N failed"; its checks are not tests.
	counts=$(tail -n 1 "$WORK/selfcheck.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -n "$counts" ]; then
		set -- $counts
		step "self-check: $1 checks passed, $2 failed"
		[ "$2" -gt 0 ] && failure "lab self-check: $2 checks failed"
		[ "$status" -ne 0 ] && [ "$2" -eq 0 ] && failure "lab self-check exited with $status"
	elif [ "$status" -eq 0 ]; then
		step "self-check: OK (no counts)"
	else
		step "self-check: FAILED"; failure "lab self-check exited with $status"
	fi
else
	step "self-check: not run (scripts/lab/selfcheck.sh does not exist yet)"
fi

# ---- 5. nothing left behind ----------------------------------------------
section "leftovers"
sleep 1   # let the last containers' processes finish exiting
# Processes: below the subreaper, and not this script or what it runs now.
ps -e -o pid=,ppid=,args= >"$WORK/ps"
procs=$(awk -v reaper="$DDREAP_PID" -v me="$$" '
	{ parent[$1] = $2; line[$1] = $0 }
	END {
		for (p in parent) {
			q = p
			while (q in parent && q != reaper && q != me && q > 1) q = parent[q]
			if (q == reaper && p != me && p != reaper) print line[p]
		}
	}' "$WORK/ps")
found=""
if [ -n "$procs" ]; then
	failure "processes left running (killed): $(echo "$procs" | awk '{ print $1 }' | tr '\n' ' ')"
	echo "processes left running (killed):"; echo "$procs" | sed 's/^ */    /'
	found="$found processes"
	kill -KILL $(echo "$procs" | awk '{ print $1 }') 2>/dev/null
fi
left=$(find "$SUITE_TMP" -mindepth 1 -maxdepth 1 2>/dev/null)
if [ -n "$left" ]; then
	failure "left in the suite's TMPDIR: $(echo $left)"
	echo "left in the suite's TMPDIR ($SUITE_TMP):"; echo "$left" | sed 's/^/    /'
	found="$found tmpdir"
fi
snapshot after
# /tmp and the caller's $TMPDIR are shared: what others remove there
# during the run is theirs, so only new entries count.
comm -12 "$WORK/before.tmp" "$WORK/after.tmp" >"$WORK/kept.tmp"
mv "$WORK/kept.tmp" "$WORK/before.tmp"
for kind in hostname links nft mounts cgroups state tmp; do
	if ! cmp -s "$WORK/before.$kind" "$WORK/after.$kind"; then
		changed=$(diff "$WORK/before.$kind" "$WORK/after.$kind" | sed -n 's/^\([<>]\) /\1 /p')
		failure "$kind changed: $(echo "$changed" | head -n 5 | tr '\n' ' ')"
		echo "$kind changed (< before, > after):"; echo "$changed" | sed 's/^/    /'
		found="$found $kind"
	fi
done
if [ -z "$found" ]; then
	step "leftovers: none (processes, TMPDIR, hostname, links, nft tables, mounts, cgroups, state, /tmp/dd*)"
else
	step "leftovers: FOUND:$found"
fi
echo "checked: processes below the subreaper, the suite's TMPDIR, hostname, links, nft tables, mounts, cgroups, /var/lib/drydock, /run/drydock, dd* in /tmp and \$TMPDIR"

# ---- summary -------------------------------------------------------------
section "summary"
[ -n "$FAILURES" ] && echo "failed:$FAILURES"
echo "$STEPS" | sed '/^$/d'
echo "tests: $PASSED passed, $FAILED failed, $SKIPPED skipped ($EXPECTED expected)"
[ -z "$FAILURES" ]
