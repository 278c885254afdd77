# profile.sh: where does drydock's time go? (sourced by run.sh)
#
# One `drydock run --rm busybox true` and one `crun run` of the same root
# under strace: -c counts the system calls and the time spent in them,
# -f -tt -T logs every call with its duration.  Then, when perf works on
# the machine, CPU samples of 20 runs in a row: which system calls and
# which functions the CPU time goes to.  The whole logs are kept in
# build/bench/profile/; the report shows what costs most.

P=$OUT/profile
mkdir -p "$P"

# The -c table's heaviest rows: "| syscall | % time | seconds | calls |".
strace_top() {
	awk '$1 ~ /^[0-9.]+$/ && NF >= 5 {
		name = $NF
		printf "| %s | %s | %s | %s |\n", name, $1, $2, $4
	}' "$1" | head -n "$2"
}

# perf report lines "children% self% [k] symbol": the system calls.
perf_syscalls() {
	awk '$3 == "[k]" && $4 ~ /^__x64_sys_/ {
		sub(/^__x64_sys_/, "", $4)
		printf "| %s | %s |\n", $4, $1
	}' "$1" | head -n "$2"
}

# perf report --no-children lines "self% [k|.] symbol": the hottest code.
perf_hottest() {
	awk '$1 ~ /%$/ && ($2 == "[k]" || $2 == "[.]") {
		printf "| %s | %s | %s |\n", $3, $2 == "[k]" ? "kernel" : "user", $1
	}' "$1" | head -n "$2"
}

# Total calls in a -c table (its "total" line).
strace_calls() {
	awk '$NF == "total" { print $4; exit }' "$1"
}

# The slowest single calls in a -T log, as "| pid | call | seconds |".
strace_slowest() {
	awk 'match($0, /<[0-9.]+>$/) {
		secs = substr($0, RSTART + 1, RLENGTH - 2)
		call = $3 == "<..." ? $4 : $3 # "<... wait4 resumed>"
		sub(/\(.*/, "", call)
		printf "%s\t%s\t%s\n", secs, $1, call
	}' "$1" | sort -rn | head -n "$2" | awk -F'\t' '{ printf "| %s | %s | %s |\n", $2, $3, $1 }'
}

md "## Where drydock's time goes"
md ""
if ! command -v strace >/dev/null; then
	md "n/a: strace is not installed."
elif [ -n "$drydock_error" ]; then
	md "n/a: drydock: $drydock_error."
else
	log "profile: strace of one drydock run and one crun run"
	strace -f -c -o "$P/drydock-strace-c.txt" "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox true \
		>/dev/null 2>&1 </dev/null || true
	strace -f -tt -T -o "$P/drydock-strace-T.txt" "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox true \
		>/dev/null 2>&1 </dev/null || true
	strace -f -c -o "$P/crun-strace-c.txt" $CRUN run --bundle "$T/bundle" bench-profile \
		>/dev/null 2>&1 </dev/null || true
	dd_calls=$(strace_calls "$P/drydock-strace-c.txt")
	crun_calls=$(strace_calls "$P/crun-strace-c.txt")
	result profile_syscalls_drydock "${dd_calls:-n/a}"
	result profile_syscalls_crun "${crun_calls:-n/a}"
	md "System calls in one run: drydock ${dd_calls:-n/a}, crun ${crun_calls:-n/a}"
	md "(strace -f -c; logs in build/bench/profile/)."
	md ""
	md "drydock's costliest calls (time inside the kernel, all processes):"
	md ""
	md "| syscall | % time | seconds | calls |"
	md "| --- | ---: | ---: | ---: |"
	strace_top "$P/drydock-strace-c.txt" 10 >>"$T/report.md"
	md ""
	md "The slowest single calls of one drydock run (strace -f -T; waits included):"
	md ""
	md "| pid | call | seconds |"
	md "| --- | --- | ---: |"
	strace_slowest "$P/drydock-strace-T.txt" 10 >>"$T/report.md"
	md ""
	rm -f "$P/drydock.perf"
	if ! command -v perf >/dev/null; then
		md "CPU profile: n/a (perf is not installed)."
	elif ! perf record -q -e cpu-clock -F 10000 -g -o "$P/drydock.perf" -- sh -c \
		'i=0; while [ $i -lt 20 ]; do "$0" --root "$1" --runroot "$2" run --rm busybox true; i=$((i + 1)); done' \
		"$DD" "$DDROOT" "$DDRUN" >/dev/null 2>"$P/perf.err" </dev/null; then
		md "CPU profile: n/a (perf record failed: $(reason "$P/perf.err"))."
	else
		log "profile: perf of 20 drydock runs"
		perf report -i "$P/drydock.perf" --children --sort sym --stdio -g none \
			>"$P/drydock-perf-children.txt" 2>/dev/null || true
		perf report -i "$P/drydock.perf" --no-children --sort sym --stdio -g none \
			>"$P/drydock-perf-self.txt" 2>/dev/null || true
		md "CPU samples of 20 runs in a row (perf record -e cpu-clock -g), by system call"
		md "(share of all samples, callees included):"
		md ""
		md "| system call | % of CPU |"
		md "| --- | ---: |"
		perf_syscalls "$P/drydock-perf-children.txt" 10 >>"$T/report.md"
		md ""
		md "The hottest functions (own samples only):"
		md ""
		md "| function | where | % of CPU |"
		md "| --- | --- | ---: |"
		perf_hottest "$P/drydock-perf-self.txt" 10 >>"$T/report.md"
	fi
fi
md ""
