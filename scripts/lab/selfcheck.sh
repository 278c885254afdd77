#!/bin/sh
# selfcheck.sh [NN...]: the lab framework testing itself.
#
# For every lab NN (or only those given), in ascending order:
#   1. cut the handout for NN (scripts/lab/handout.sh) into a temporary
#      directory, and check that no solution region of lab NN or later
#      is left in it, nor any mutant or hidden test; then put the hidden
#      tests (tests/hidden/, labs/*/points.hidden) back in, as grading
#      a submission does, so steps 3 and 4 cover them too;
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
# Then the mutants, in a scratch copy of the reference tree and its
# build (so only what a mutant changes is compiled again):
#   6. every lab has at least one mutant, labs/NN-name/mutants/*.c: a
#      plausible wrong solution (core/lab/mutant.h);
#   7. each mutant, put into its solution region (ddhandout --mutant),
#      builds, and lab NN's tests (hidden ones included) fail on it: at
#      least one test must catch it; the report names the tests that
#      did.  The runner stops at the first failure (--fail-fast).  A
#      mutant that survives is a hole in the lab's tests: sharpen them.
#   8. the self-check tests itself: in a copy of the scratch tree, a
#      mutant that is the reference's own code must survive and make the
#      self-check fail, and so must a lab without mutants.
# A runner exit of 2 (framework error) fails the check either way.  That
# the reference tree passes everything is checked by scripts/lab/test.sh.
#
# Usage: selfcheck.sh [--mutants-only | --no-mutants] [NN...]
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
handouts=yes
mutants=yes
for arg in "$@"; do
	case $arg in
	--mutants-only) handouts=no; continue ;;
	--no-mutants) mutants=no; continue ;;
	'' | *[!0-9]*)
		echo "usage: sh scripts/lab/selfcheck.sh [--mutants-only | --no-mutants] [NN...]" >&2
		exit 2
		;;
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
	(cd "$dir" && env -u DRYDOCK_BIN -u DRYDOCK_PROBE -u DRYDOCK_ROOT -u DRYDOCK_RUNROOT \
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
	[ "$handouts" = yes ] || break
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
	find "$tree/labs" "$tree/tests" \( -path '*/labs/*/mutants' -o -name points.hidden \
		-o -path "$tree/tests/hidden" \) -print >"$detail.left" 2>/dev/null
	if [ -s "$detail.left" ]; then
		fail "lab $lab handout is cut (it holds mutants or hidden tests)" "$detail.left"
		prev=$lab
		continue
	fi
	pass "lab $lab handout is cut"
	# The hidden tests are graded on a handout as on a submission: put
	# them back for the runs below, as the instructor's grading does.
	[ -d tests/hidden ] && cp -a tests/hidden "$tree/tests/hidden"
	for h in labs/*/points.hidden; do
		[ -f "$h" ] && cp "$h" "$tree/$h"
	done

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
[ "$handouts" = yes ] && echo "selfcheck: the handouts took $(($(date +%s) - start))s"

# ---- the mutants -------------------------------------------------------

# The tree as git knows it (or, in a tree without .git, every file but
# build/), then build/ itself, times kept, so make finds it up to date.
copy_tree() { # DEST
	mkdir -p "$1" || return 1
	if [ -e .git ]; then
		git ls-files -z --cached --others --exclude-standard |
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$1"
	else
		tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$1"
	fi || return 1
	cp -a build "$1/build"
}

# The header line KEY of a mutant file.
mutant_field() { # FILE KEY
	sed -n "s/^ \* $2: //p; s/^\/\* $2: //p" "$1" | head -n 1
}

# Apply mutant M of lab LAB in tree REF, build, run the lab's tests,
# restore the file.  Passes if a test caught it.
check_mutant() { # REF LAB M
	ref=$1 mlab=$2 m=$3
	name=$(basename "$m" .c)
	what=$(mutant_field "$m" mutant)
	file=$(mutant_field "$m" file)
	label="lab $mlab mutant $name ($what)"
	mlog=$work/mutant.log
	if [ -z "$file" ] || [ ! -f "$ref/$file" ]; then
		echo "its header names no file of the tree ('$file')" >"$mlog"
		fail "$label applies" "$mlog"
		return
	fi
	cp "$ref/$file" "$work/mutant.orig"
	if ! "$ref/build/ddhandout" --mutant "$m" "$ref" >"$mlog" 2>&1; then
		fail "$label applies" "$mlog"
		return
	fi
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ref" -s -j2 lab-build \
		LAB="$mlab" ONLY=1 >"$mlog" 2>&1; then
		explain "$mlog" >"$mlog.detail"
		fail "$label builds (a mutant that does not compile proves nothing)" "$mlog.detail"
	else
		run_in "$ref" --lab "$mlab" --only --fail-fast --timeout 30 >"$mlog" 2>&1
		rc=$?
		caught=$(sed -n 's/^== lab [0-9]* == \(.*\): FAIL (.*$/\1/p' "$mlog" | paste -sd';' - |
			sed 's/;/; /g')
		if [ "$rc" = 1 ] && [ -n "$caught" ]; then
			pass "$label is caught by: $caught"
		elif [ "$rc" = 0 ]; then
			echo "every test of lab $mlab passes with it: add or sharpen a test that fails on this mistake" \
				>"$mlog.detail"
			fail "$label SURVIVED" "$mlog.detail"
		else
			explain "$mlog" >"$mlog.detail"
			fail "$label is caught (runner exit $rc)" "$mlog.detail"
		fi
	fi
	# Put the reference back; its new time makes the next build redo it.
	cp "$work/mutant.orig" "$ref/$file"
	if leftovers "$ref" >"$mlog"; then
		fail "$label: the tests leave no processes behind (killed them)" "$mlog"
	fi
}

# A mutant that is the reference's own code: the first region of LAB.
harmless_mutant() { # REF LAB > FILE
	build/ddhandout --list "$1" | awk -v lab="$2" '$2 + 0 == lab + 0 { print; exit }' |
		while read -r where _ task; do
			f=${where%:*}
			line=${where##*:}
			printf '/* mutant: none: the reference itself, which must survive\n'
			printf ' * file: %s\n * task: %s\n */\n' "$f" "$task"
			awk -v from="$line" 'NR > from && /END SOLUTION/ { exit } NR > from' "$1/$f"
		done
}

# The self-check's own test: it must fail on a surviving mutant and on a
# lab without mutants.  Run in a copy of REF, on lab LAB alone.
selftest_mutants() { # REF LAB
	t=$work/selftest
	rm -rf "$t"
	(cd "$1" && copy_tree "$t") || { echo "cannot copy the tree" >"$work/st.log"; return 1; }
	mdir=$(ls -d "$t"/labs/"$2"-*/)mutants
	harmless_mutant "$t" "$2" >"$mdir/zz-harmless.c"
	(cd "$t" && sh scripts/lab/selfcheck.sh --mutants-only "$2") >"$work/st.log" 2>&1
	rc=$?
	if [ "$rc" != 1 ] || ! grep -q "mutant zz-harmless .*SURVIVED: FAILED" "$work/st.log"; then
		echo "with a mutant that is the reference's code, the self-check exited $rc:" \
			>"$work/st.detail"
		cat "$work/st.log" >>"$work/st.detail"
		return 1
	fi
	rm -rf "$mdir"
	(cd "$t" && sh scripts/lab/selfcheck.sh --mutants-only "$2") >"$work/st.log" 2>&1
	rc=$?
	if [ "$rc" != 1 ] || ! grep -q "lab $2 has mutants: FAILED" "$work/st.log"; then
		echo "with no mutants for lab $2, the self-check exited $rc:" >"$work/st.detail"
		cat "$work/st.log" >>"$work/st.detail"
		return 1
	fi
	rm -rf "$t"
}

if [ "$mutants" = yes ]; then
	mstart=$(date +%s)
	ref=$work/reference
	if ! copy_tree "$ref" >"$work/copy.log" 2>&1; then
		fail "the reference tree is copied for the mutants" "$work/copy.log"
	else
		first=
		for lab in $all_labs; do
			if [ -n "$want" ] && ! echo "$want" | grep -qw "$lab"; then
				continue
			fi
			[ -n "$first" ] || first=$lab
			set -- labs/"$lab"-*/mutants/*.c
			if [ ! -f "$1" ]; then
				echo "write at least one plausible wrong solution in labs/$lab-*/mutants/ (see doc/instructor-guide.md)" \
					>"$work/none"
				fail "lab $lab has mutants" "$work/none"
				continue
			fi
			pass "lab $lab has mutants ($# of them)"
			for m in "$@"; do
				check_mutant "$ref" "$lab" "$PWD/$m"
			done
		done
		# Only in a full run: the nested run checks one lab alone.
		if [ -z "$want" ] && [ -n "$first" ]; then
			if selftest_mutants "$ref" "$first"; then
				pass "a surviving mutant and a lab without mutants fail the self-check"
			else
				fail "a surviving mutant and a lab without mutants fail the self-check" \
					"$work/st.detail"
			fi
		fi
	fi
	echo "selfcheck: the mutants took $(($(date +%s) - mstart))s"
fi
echo "selfcheck: took $(($(date +%s) - start))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
