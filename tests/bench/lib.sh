# lib.sh: helpers shared by the benchmark sections (sourced by run.sh).
#
# Every figure goes two ways: `result KEY VALUE` for results.json and
# `md LINE` for report.md.  A figure that could not be measured is the
# string "n/a (...)" saying why; a benchmark never fails on time.

log() {
	printf 'bench: %s\n' "$*" >&2
}

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

result() {
	printf '%s\t%s\n' "$1" "$2" >>"$BENCH_TMP/results.tsv"
}

md() {
	printf '%s\n' "$*" >>"$BENCH_TMP/report.md"
}

# Quote a word for a command line that hyperfine or `sh -c` will split.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The first non-empty line of an error log, printable and short: the
# "why" in "n/a (failed: why)".
reason() {
	tr -d '\000-\010\013-\037' <"$1" | awk 'NF && !seen { line = $0; seen = 1 } END { print substr(line, 1, 160) }'
}

# Run a command once, quietly, to see whether it works at all.  Its
# stderr is kept in $2 for reason().
probe() {
	err=$1
	shift
	timeout 60 "$@" >/dev/null 2>"$err" </dev/null
}

now() {
	date +%s.%N
}

# Seconds between two now() values, to two decimals.
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# The runs in a hyperfine --export-json file, one per line:
#   name <TAB> index <TAB> seconds <TAB> exit status
hf_runs() {
	awk '
	function flush(  i) {
		for (i = 1; i <= n; i++)
			printf "%s\t%d\t%s\t%s\n", name, i, t[i], (i in x) ? x[i] : 0
		n = 0
		split("", x)
	}
	/"command":/ {
		flush()
		name = $0
		sub(/^[^:]*: *"/, "", name)
		sub(/", *$/, "", name)
	}
	/"times": \[/ { list = "t"; next }
	/"exit_codes": \[/ { list = "x"; e = 0; next }
	/\]/ { list = ""; next }
	list == "t" { v = $1; sub(/,$/, "", v); t[++n] = v }
	list == "x" { v = $1; sub(/,$/, "", v); x[++e] = v }
	END { flush() }' "$1"
}

# Hyperfine runs its commands one after another; to compare them fairly
# we run many short rounds instead, each starting with a different
# command, so that whatever the machine does meanwhile hits every command
# alike and run i of A can be paired with run i of B of the same round.
#
#   run_rounds DIR ROUNDS RUNS_PER_ROUND SHELL
#
# DIR/commands.tsv holds "name <TAB> command [<TAB> prepare]" lines;
# SHELL is "none" (exec the command directly) or "sh" (needed for a
# prepare step).  Appends "round name index seconds exit" to DIR/runs.tsv.
run_rounds() {
	dir=$1 rounds=$2 runs=$3 shell=$4
	r=0
	while [ "$r" -lt "$rounds" ]; do
		r=$((r + 1))
		awk -v r="$r" '{ l[NR] = $0 } END { for (i = 0; i < NR; i++) print l[(i + r) % NR + 1] }' \
			"$dir/commands.tsv" >"$dir/order.tsv"
		set --
		while IFS='	' read -r name cmd prep; do
			set -- "$@" -n "$name" ${prep:+--prepare} ${prep:+"$prep"} "$cmd"
		done <"$dir/order.tsv"
		if ! timeout 900 hyperfine --shell="$shell" --ignore-failure --style none \
			--runs "$runs" --export-json "$dir/round-$r.json" "$@" \
			>/dev/null 2>>"$dir/hyperfine.log"; then
			log "$(basename "$dir"): round $r did not finish (see $dir/hyperfine.log)"
			continue
		fi
		hf_runs "$dir/round-$r.json" | sed "s/^/$r	/" >>"$dir/runs.tsv"
	done
}

# summarize RUNS NAME -> "runs failed median min p90", times in ms.
summarize() {
	awk -F'\t' -v name="$2" '
	$2 == name { if ($5 == 0) t[++n] = $4 * 1000; else failed++ }
	END {
		if (n == 0) { printf "0 %d n/a n/a n/a\n", failed; exit }
		for (i = 2; i <= n; i++)       # insertion sort: a few hundred values
			for (j = i; j > 1 && t[j - 1] > t[j]; j--) { v = t[j]; t[j] = t[j - 1]; t[j - 1] = v }
		median = n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
		printf "%d %d %.2f %.2f %.2f\n", n, failed, median, t[1], t[int(0.9 * (n - 1)) + 1]
	}' "$1"
}

# paired_ratio RUNS A B -> "median_ratio pairs": the median over every
# pair (same round, same index, both succeeded) of time(A) / time(B).
paired_ratio() {
	awk -F'\t' -v a="$2" -v b="$3" '
	$5 == 0 && $2 == a { ta[$1 SUBSEP $3] = $4 }
	$5 == 0 && $2 == b { tb[$1 SUBSEP $3] = $4 }
	END {
		for (k in ta)
			if ((k in tb) && tb[k] > 0) r[++n] = ta[k] / tb[k]
		if (n == 0) { print "n/a 0"; exit }
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && r[j - 1] > r[j]; j--) { v = r[j]; r[j] = r[j - 1]; r[j - 1] = v }
		printf "%.2f %d\n", n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2, n
	}' "$1"
}

# How many mounts lie under a directory (as this mount namespace sees them).
mounts_under() {
	awk -v dir="$1/" 'index($5 "/", dir) == 1' /proc/self/mountinfo | wc -l
}

# How many processes have a path in their command line: the bench passes
# its temp dir on every command line, so this finds what it started.
procs_mentioning() {
	n=0
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$1" && n=$((n + 1))
	done
	echo "$n"
}

# Entries in a directory (0 when it does not exist).
entries() {
	if [ -d "$1" ]; then
		find "$1" -mindepth 1 -maxdepth 1 | wc -l
	else
		echo 0
	fi
}

# Write an OCI runtime bundle: config.json asking for what drydock's
# `run` sets up (new PID, mount, UTS and IPC namespaces, the host's
# network unless "net" is given; /proc, a read-only /sys, a tmpfs /dev
# with /dev/pts and /dev/shm; pivot_root into the image's root).
#
#   write_bundle DIR ROOTFS net|nonet ARG...
write_bundle() {
	dir=$1 rootfs=$2 net=$3
	shift 3
	args=""
	for a in "$@"; do
		args="$args${args:+, }\"$a\""
	done
	netns=""
	[ "$net" = net ] && netns=', { "type": "network" }'
	mkdir -p "$dir"
	cat >"$dir/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ $args ],
		"env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ],
		"cwd": "/"
	},
	"root": { "path": "$rootfs", "readonly": false },
	"hostname": "bench",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": [ "nosuid", "noexec", "nodev", "ro" ] }
	],
	"linux": {
		"namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" },
				{ "type": "ipc" }$netns ]
	}
}
EOF
}
