#!/bin/sh
# run.sh: drydock's benchmarks against crun, runc, podman and GNU tar
# (`make bench`, after `make all`).
#
#   1. start.sh      start-to-exit latency of a trivial container
#   2. scale.sh      many containers started at once, and what they leave
#   3. footprint.sh  memory of the runtime, during and beside a container
#   4. profile.sh    where drydock's time goes (strace)
#   5. import.sh     image import throughput, small and ~500 MB roots
#
# Writes build/bench/report.md (tables) and build/bench/results.json
# (flat keys, e.g. start_ratio_drydock_crun).  A benchmark reports
# figures and ratios and never fails on time: the exit status is non-zero
# only when the bench could not run at all.  BENCH_QUICK=1 is a short
# smoke run (fewer rounds, a 50 MB "large" root, 10 containers at once).
#
# Everything temporary lives in one mktemp directory, removed on exit,
# podman's storage included.  The work runs in a private mount namespace
# (unshare -m): on a hybrid cgroup host (v1 controllers plus a v2
# hierarchy at /sys/fs/cgroup/unified that holds a controller) crun
# refuses to run, so there we unmount the v2 hierarchy, in our namespace
# only.  Nothing outside the temp directory is edited.
#
# The runtimes' live state (drydock's run root, crun's and runc's --root,
# podman's --runroot) is on a tmpfs mounted in that namespace at
# $BENCH_TMP/run, as /run is on a machine booted with systemd; the
# images, layers and the containers' own layers stay on disk.
set -eu
cd "$(dirname "$0")/../.."
REPO=$(pwd)
. tests/bench/lib.sh

# Default paths the tools write to when nothing else is configured: crun's
# state (used by podman) and the image library's blob-info cache.  When
# the bench is what creates them, it removes them again on exit.
PODMAN_DEFAULT_PATHS="/run/crun /var/lib/containers"

outer_cleanup() {
	if [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ]; then
		rm -rf --one-file-system "$BENCH_TMP"
	fi
	for p in $created_paths; do
		case $p in
		/var/lib/containers)
			rm -f "$p/cache/blob-info-cache-v1.boltdb"
			rmdir "$p/cache" "$p" 2>/dev/null || true
			;;
		*) rmdir "$p" 2>/dev/null || true ;;
		esac
	done
}

# Part 1, in the caller's namespaces: check, make the temp dir, re-run
# this script inside a private mount namespace, clean up afterwards.
if [ "${DRYDOCK_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "Cannot run: the benchmarks create namespaces; run as root"
	for tool in hyperfine unshare timeout awk; do
		command -v "$tool" >/dev/null || die "Cannot run: $tool is missing (make deps, or scripts/install-deps.sh --bench)"
	done
	created_paths=""
	for p in $PODMAN_DEFAULT_PATHS; do
		[ -e "$p" ] || created_paths="$created_paths $p"
	done
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/drydock-bench.XXXXXX") ||
		die "Cannot run: cannot create a temporary directory"
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM
	export BENCH_TMP
	DRYDOCK_BENCH_INNER=1 unshare --mount --propagation private sh "$REPO/tests/bench/run.sh" "$@"
	exit 0
fi

# Part 2, inside the private mount namespace.
T=$BENCH_TMP
OUT=$REPO/build/bench
CACHE=$OUT/cache
DD=$REPO/build/drydock
mkdir -p "$OUT" "$CACHE"
: >"$T/results.tsv"
: >"$T/report.md"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	QUICK=1 START_ROUNDS=4 SMALL_ROUNDS=2 LARGE_ROUNDS=1 SCALE_N=10 LARGE_MB=50
else
	QUICK=0 START_ROUNDS=40 SMALL_ROUNDS=10 LARGE_ROUNDS=5 SCALE_N=50 LARGE_MB=500
fi

inner_cleanup() {
	status=$?
	trap - EXIT
	for p in "${PODMAN:-}" "${PODMAN_IMPORT:-}"; do
		[ -z "$p" ] || $p rm -af -t 0 >/dev/null 2>&1 || true
	done
	# Whatever is still mounted under the temp dir, deepest first.
	awk -v dir="$T/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	exit "$status"
}
trap inner_cleanup EXIT
trap 'exit 130' INT TERM

# --- The machine ---------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cpus=$(nproc)
kernel=$(uname -r)
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	cgroup_mode="v2 (unified)"
elif [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
	v2_controllers=$(cat /sys/fs/cgroup/unified/cgroup.controllers)
	cgroup_mode="hybrid (v1, plus v2 at /sys/fs/cgroup/unified with: ${v2_controllers:-no controllers})"
	if [ -n "$v2_controllers" ]; then
		umount /sys/fs/cgroup/unified ||
			die "Cannot run: cannot unmount /sys/fs/cgroup/unified in the bench's mount namespace"
		cgroup_mode="$cgroup_mode; the bench unmounts the v2 part in its own mount namespace"
	fi
else
	cgroup_mode="v1 (legacy)"
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
result machine_cpu "$cpu"
result machine_cpus "$cpus"
result machine_kernel "$kernel"
result machine_cgroup "$cgroup_mode"
result bench_date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
result bench_quick "$QUICK"
result drydock_commit "$commit"
# Other work on the machine shows as noise: say how busy it was.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $cpu, $cpus CPUs, Linux $kernel, cgroup $cgroup_mode"

md "# drydock benchmarks"
md ""
md "Machine: $cpu, $cpus CPUs, Linux $kernel; cgroup $cgroup_mode."
md "drydock at $commit; crun $(crun --version 2>/dev/null | awk 'NR == 1 { print $3 }'),"
md "runc $(runc --version 2>/dev/null | awk 'NR == 1 { print $3 }'), podman $(podman --version 2>/dev/null | awk '{ print $3 }'),"
md "$(tar --version | head -n 1), $(hyperfine --version)."
[ "$QUICK" = 1 ] && md "" && md "**BENCH_QUICK=1: a smoke run, not figures to quote.**"
md ""

# --- The image: the same busybox root on every side ----------------------
# build/images/busybox.tar is drydock's built-in image.  Without it, a
# root is made from the host's static busybox, and drydock is given the
# same tarball with `drydock import`.
IMAGE_TAR=$REPO/build/images/busybox.tar
ROOTFS=$T/rootfs
mkdir -p "$ROOTFS"
if [ -f "$IMAGE_TAR" ]; then
	tar -xf "$IMAGE_TAR" -C "$ROOTFS"
	image_note="build/images/busybox.tar"
else
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] || die "Cannot run: no build/images/busybox.tar and no busybox on the host"
	mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/root"
	cp "$busybox" "$ROOTFS/bin/busybox"
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$ROOTFS/bin/$applet"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$ROOTFS/etc/passwd"
	echo "root:x:0:" >"$ROOTFS/etc/group"
	IMAGE_TAR=$T/busybox.tar
	tar -C "$ROOTFS" -cf "$IMAGE_TAR" .
	image_note="a root made from the host's $busybox (build/images/busybox.tar does not exist yet)"
fi
# Mount points for the OCI runtimes (drydock makes its own).
mkdir -p "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev"
log "image: $image_note"
md "Image: $image_note, the same root for every runtime."
md ""

# --- The runtimes' live state: a tmpfs, as /run under systemd -----------
# Mounted in this mount namespace only, so it goes with the namespace
# (and inner_cleanup unmounts it first).
RUN=$T/run
mkdir -p "$RUN"
mount -t tmpfs -o mode=0700,size=256m bench-run "$RUN" ||
	die "Cannot run: cannot mount a tmpfs at $RUN for the runtimes' state"
host_run="$(stat -f -c %T /run 2>/dev/null || echo unknown) (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown))"
result machine_run_fs "$host_run"
md "Live state (drydock's --runroot, crun's and runc's --root, podman's --runroot) on a"
md "tmpfs the bench mounts, as /run is under systemd; this machine's /run is $host_run."
md ""

# --- The runtimes --------------------------------------------------------
# crun refuses to touch cgroups on a hybrid host; drydock has no cgroup
# chapter yet, so the like-for-like crun runs with --cgroup-manager=disabled.
# "crun-cgroupfs" is crun as shipped, creating a cgroup per container.
CRUN="crun --root $RUN/crun-state --cgroup-manager=disabled"
CRUN_CG="crun --root $RUN/crun-cg-state"
RUNC="runc --root $RUN/runc-state"
write_bundle "$T/bundle" "$ROOTFS" nonet true
write_bundle "$T/bundle-net" "$ROOTFS" net true
write_bundle "$T/bundle-sleep" "$ROOTFS" nonet sleep 3

# podman: state, storage and configuration of its own under the temp dir.
# Its default ulimits (nofile 1048576) are above many hosts' hard limits,
# so they are set at the hard limits of this shell; nproc at most 32768,
# the limit podman sets on itself (crun, below it, cannot go higher).
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu 2>/dev/null || ulimit -Hp) # dash calls it -p
[ "$hard_nofile" = unlimited ] && hard_nofile=1048576
[ "$hard_nproc" = unlimited ] || [ "$hard_nproc" -gt 32768 ] && hard_nproc=32768
mkdir -p "$T/podman/tmp"
cat >"$T/podman/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=$hard_nproc:$hard_nproc"]

[network]
network_config_dir = "$T/podman/cni"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
runtime = "crun"
tmp_dir = "$T/podman/tmp"
volume_path = "$T/podman/volumes"
image_copy_tmp_dir = "$T/podman/tmp"
EOF
export CONTAINERS_CONF="$T/podman/containers.conf"
export TMPDIR="$T/podman/tmp"
PODMAN="podman --root $T/podman/storage --runroot $RUN/podman --storage-driver overlay"
PODMAN_IMPORT="podman --root $T/podman/import-storage --runroot $RUN/podman-import --storage-driver overlay"
PODMAN_IMAGE=localhost/drydock-bench-busybox
podman_error=""
if ! command -v podman >/dev/null; then
	podman_error="podman is not installed"
elif ! probe "$T/podman-import.err" $PODMAN import "$IMAGE_TAR" "$PODMAN_IMAGE"; then
	podman_error="failed: $(reason "$T/podman-import.err")"
fi

# drydock: a data root of its own on disk and a run root on the tmpfs;
# the image is imported first so that the first measured run does not
# pay for it.
DDROOT=$T/drydock
DDRUN=$RUN/drydock
drydock_error=""
if [ ! -x "$DD" ]; then
	drydock_error="build/drydock does not exist"
else
	probe "$T/drydock-import.err" "$DD" --root "$DDROOT" --runroot "$DDRUN" import "$IMAGE_TAR" busybox ||
		log "drydock import of the image failed: $(reason "$T/drydock-import.err"); relying on the built-in image"
	if ! probe "$T/drydock-run.err" "$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox true; then
		drydock_error="failed: $(reason "$T/drydock-run.err")"
	fi
fi
[ -n "$drydock_error" ] && log "drydock run: n/a ($drydock_error)"
[ -n "$podman_error" ] && log "podman: n/a ($podman_error)"

. tests/bench/start.sh
. tests/bench/scale.sh
. tests/bench/footprint.sh
. tests/bench/profile.sh
. tests/bench/import.sh

# --- The report ------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
result machine_loadavg_before "$load_before"
result machine_loadavg_after "$load_after"
md "Load average (1, 5, 15 min) on $cpus CPUs: $load_before before the run, $load_after after."
awk -F'\t' '
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
BEGIN { print "{" }
{
	v = $2
	if (v !~ /^-?[0-9]+(\.[0-9]+)?$/)
		v = "\"" esc(v) "\""
	printf "%s  \"%s\": %s", (NR > 1 ? ",\n" : ""), $1, v
}
END { print "\n}" }' "$T/results.tsv" >"$OUT/results.json"
cp "$T/report.md" "$OUT/report.md"
log "wrote $OUT/report.md and $OUT/results.json"
