#!/bin/sh
# A short tour of what a container is: the same questions asked on the
# host and inside a drydock container, side by side.  Uses a private
# state root that is removed at the end.
set -eu
cd "$(dirname "$0")/.."
DRYDOCK=${DRYDOCK:-build/drydock}
root=$(mktemp -d /tmp/drydock-demo.XXXXXX)
trap 'rm -rf "$root"' EXIT INT TERM
export DRYDOCK_ROOT="$root"

run() { "$DRYDOCK" run --rm --hostname demo-box busybox "$@"; }

side_by_side() {
	printf '\n== %s\n' "$1"
	printf '%-38s | %s\n' "host" "container"
	printf '%-38s-+-%s\n' "--------------------------------------" "--------------------------------------"
	host_out=$(sh -c "$2" 2>&1 | head -n "${4:-6}")
	ctr_out=$(run sh -c "$3" 2>&1 | head -n "${4:-6}")
	printf '%s\n' "$host_out" | cut -c1-38 >"$root/h"
	printf '%s\n' "$ctr_out" | cut -c1-38 >"$root/c"
	paste -d '|' "$root/h" "$root/c" | awk -F'|' '{ printf "%-38s | %s\n", $1, $2 }'
}

echo "drydock demo: one container, started fresh for every question (state root $root)"
side_by_side "hostname (UTS namespace, chapter 03)" "hostname" "hostname"
side_by_side "my pid and how many processes I see (PID namespace, chapters 05 and 07)" \
	'echo "pid $$"; echo "processes: $(ls /proc | grep -c "^[0-9]")"' \
	'echo "pid $$"; echo "processes: $(ls /proc | grep -c "^[0-9]")"'
side_by_side "first mounts (mount namespace, chapters 06 and 07)" \
	"awk '{print \$2, \$3}' /proc/mounts" "awk '{print \$2, \$3}' /proc/mounts" 5
side_by_side "what / holds (pivot_root, chapter 07)" "ls / | head -n 8 | tr '\n' ' '" \
	"ls / | head -n 8 | tr '\n' ' '"
printf '\n== exit codes pass through (chapter 01)\n'
set +e
run sh -c 'exit 42'
echo "drydock run busybox sh -c 'exit 42'  ->  exit code $?"
set -e
printf '\nWhat is implemented:\n'
"$DRYDOCK" info | sed -n '/Chapters/,$p' | head -n 8
echo
echo "Next: make test (every test), make check LAB=01 (one lab), doc/ (the book)."
