# start.sh: start-to-exit latency of a trivial container (sourced by run.sh).
#
# `drydock run --rm busybox true` against `crun run` and `runc run` of an
# OCI bundle of the same root and `podman run --rm` of the same root
# imported into podman.  Every side gets new PID, mount, UTS and IPC
# namespaces and shares the host's network; then every side runs again
# with a network namespace too (drydock's --network none: loopback only,
# as crun's bundle-net and podman's --network=none).  The figure that matters is the median over paired runs of
# drydock's time divided by crun's: start_ratio_drydock_crun.

S=$T/start
mkdir -p "$S"
: >"$S/rows.tsv"     # name <TAB> what runs <TAB> network namespace
: >"$S/commands.tsv" # name <TAB> command line, for run_rounds
: >"$S/na.tsv"       # name <TAB> why it was not measured

start_row() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$S/rows.tsv"
}

start_na() {
	printf '%s\t%s\n' "$1" "$2" >>"$S/na.tsv"
}

# start_command NAME COMMAND...: measure it if one run of it works.
start_command() {
	name=$1
	shift
	if probe "$S/$name.err" "$@"; then
		line=""
		for word in "$@"; do
			line="$line${line:+ }$(q "$word")"
		done
		printf '%s\t%s\n' "$name" "$line" >>"$S/commands.tsv"
	else
		start_na "$name" "failed: $(reason "$S/$name.err")"
	fi
}

start_row drydock "\`drydock run --rm busybox true\`" no
if [ -n "$drydock_error" ]; then
	start_na drydock "$drydock_error"
else
	start_command drydock "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox true
fi
start_row crun "\`crun run\`, no cgroup (as drydock today)" no
start_command crun $CRUN run --bundle "$T/bundle" bench-crun
# crun with drydock's confinement (chapter 16): the capabilities, seccomp
# filter, masked and read-only paths of the config.json drydock writes,
# put into crun's bundle, so crun loads the same filter (compiling it
# with libseccomp at every start, as it does under podman).
start_row crun-confined "\`crun run\`, no cgroup, drydock's capabilities, seccomp and masks" no
if [ -n "$drydock_error" ] || ! command -v jq >/dev/null; then
	start_na crun-confined "needs drydock and jq"
elif probe "$S/confined.err" "$DD" --root "$DDROOT" --runroot "$DDRUN" run --name bench-confinement busybox true; then
	config=$(ls "$DDRUN"/containers/*/config.json | head -n 1)
	write_bundle "$T/bundle-confined" "$ROOTFS" nonet true
	jq -s '.[0] * { process: { capabilities: .[1].process.capabilities },
		linux: { seccomp: .[1].linux.seccomp, maskedPaths: .[1].linux.maskedPaths,
			 readonlyPaths: .[1].linux.readonlyPaths } }' \
		"$T/bundle-confined/config.json" "$config" >"$T/confined.json" &&
		mv "$T/confined.json" "$T/bundle-confined/config.json"
	"$DD" --root "$DDROOT" --runroot "$DDRUN" rm bench-confinement >/dev/null 2>&1
	start_command crun-confined $CRUN run --bundle "$T/bundle-confined" bench-crun-confined
else
	start_na crun-confined "failed: $(reason "$S/confined.err")"
fi
# What confinement costs drydock: the same run with none of it, and with
# the sealed copy of the binary that --init brings.
start_row drydock-unconfined "\`drydock run --rm --privileged --security-opt seccomp=unconfined busybox true\`" no
if [ -n "$drydock_error" ]; then
	start_na drydock-unconfined "$drydock_error"
else
	start_command drydock-unconfined "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm --privileged \
		--security-opt seccomp=unconfined busybox true
fi
start_row drydock-init "\`drydock run --rm --init busybox true\` (an init, and a sealed copy of drydock)" no
if [ -n "$drydock_error" ]; then
	start_na drydock-init "$drydock_error"
else
	start_command drydock-init "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm --init busybox true
fi
start_row crun-cgroupfs "\`crun run\`, a cgroup (cgroupfs)" no
start_command crun-cgroupfs $CRUN_CG run --bundle "$T/bundle" bench-crun-cg
start_row runc "\`runc run\`, a cgroup (cgroupfs)" no
start_command runc $RUNC run --bundle "$T/bundle" bench-runc
start_row podman "\`podman run --rm --network=host\` (crun, cgroupfs)" no
if [ -n "$podman_error" ]; then
	start_na podman "$podman_error"
else
	start_command podman $PODMAN run --rm --network=host "$PODMAN_IMAGE" true
fi

start_row drydock+net "\`drydock run --rm --network none busybox true\`" yes
if [ -n "$drydock_error" ]; then
	start_na drydock+net "$drydock_error"
else
	start_command drydock+net "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm --network none busybox true
fi
start_row crun+net "\`crun run\`, no cgroup" yes
start_command crun+net $CRUN run --bundle "$T/bundle-net" bench-crun-net
start_row runc+net "\`runc run\`, a cgroup (cgroupfs)" yes
start_command runc+net $RUNC run --bundle "$T/bundle-net" bench-runc-net
start_row podman+net "\`podman run --rm --network=none\`" yes
if [ -n "$podman_error" ]; then
	start_na podman+net "$podman_error"
else
	start_command podman+net $PODMAN run --rm --network=none "$PODMAN_IMAGE" true
fi

if [ -s "$S/commands.tsv" ]; then
	log "start latency: warm-up, then $START_ROUNDS rounds of $(wc -l <"$S/commands.tsv") commands"
	mkdir -p "$S/warmup"
	cp "$S/commands.tsv" "$S/warmup/"
	run_rounds "$S/warmup" 1 2 none
	run_rounds "$S" "$START_ROUNDS" 1 none
fi
touch "$S/runs.tsv"

# The name as a results.json key: crun-cgroupfs -> crun_cgroupfs.
key() {
	echo "$1" | tr -- '-+' '__'
}

md "## Start-to-exit latency"
md ""
md "One container running \`true\`, start to exit, as hyperfine times it (no shell)."
md "$START_ROUNDS rounds; each round runs every command once, starting with a different one."
md "The last column is the median over the rounds of drydock's time divided by this"
md "row's time in the same round (below 1: drydock is faster); rows with a network"
md "namespace are compared with drydock's row with one."
md ""
md "| runtime | network ns | median ms | min ms | p90 ms | runs | failed | drydock / this |"
md "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
while IFS='	' read -r name label net; do
	k=$(key "$name")
	why=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$S/na.tsv")
	if [ -n "$why" ]; then
		result "start_median_ms_$k" "n/a ($why)"
		md "| $label | $net | n/a ($why) | | | | | |"
		continue
	fi
	set -- $(summarize "$S/runs.tsv" "$name")
	runs=$1 failed=$2 median=$3 min=$4 p90=$5
	result "start_median_ms_$k" "$median"
	result "start_failures_$k" "$failed"
	ratio=""
	case $name in
	drydock | drydock+net) ratio="1" ;;
	*)
		# Network rows against drydock's network row, the others against drydock.
		base=drydock
		case $name in *+net) base=drydock+net ;; esac
		if [ -n "$drydock_error" ] || grep -q "^$base	" "$S/na.tsv"; then
			ratio="n/a"
		else
			set -- $(paired_ratio "$S/runs.tsv" "$base" "$name")
			ratio=$1
			result "start_ratio_$(key "$base")_$k" "$1"
			result "start_pairs_$(key "$base")_$k" "$2"
		fi
		;;
	esac
	md "| $label | $net | $median | $min | $p90 | $runs | $failed | $ratio |"
done <"$S/rows.tsv"
md ""

# The headline figure, always present in results.json.
if [ -n "$drydock_error" ]; then
	result start_ratio_drydock_crun "n/a (drydock: $drydock_error)"
	md "**start_ratio_drydock_crun: n/a** (drydock: $drydock_error)."
elif ! grep -q '^start_ratio_drydock_crun	' "$T/results.tsv"; then
	result start_ratio_drydock_crun "n/a (crun was not measured)"
	md "**start_ratio_drydock_crun: n/a** (crun was not measured)."
else
	set -- $(paired_ratio "$S/runs.tsv" drydock crun)
	md "**start_ratio_drydock_crun: $1** (median of $2 paired runs; goal: at most 1)."
fi
md ""
cp "$S/runs.tsv" "$OUT/start-runs.tsv"
