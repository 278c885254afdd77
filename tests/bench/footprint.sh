# footprint.sh: memory (sourced by run.sh).
#
# Peak RSS: the largest resident set of the run command and everything it
# waited for (GNU time's %M, from getrusage of the children), median of 3.
# Beside: while a container runs `sleep 3`, the processes that stay next
# to it (the runtime itself, a shim or monitor such as podman's conmon):
# every process whose command line names the bench's temp directory,
# which the container's own process does not.

F=$T/footprint
mkdir -p "$F"

# peak_rss NAME COMMAND... -> KiB, or "n/a (...)"
peak_rss() {
	name=$1
	shift
	if [ ! -x /usr/bin/time ]; then
		echo "n/a (GNU time is not installed)"
		return
	fi
	for n in 1 2 3; do
		/usr/bin/time -f %M -o "$F/$name.rss.$n" "$@" >/dev/null 2>"$F/$name.err" </dev/null ||
			{ echo "n/a (failed: $(reason "$F/$name.err"))"; return; }
	done
	cat "$F/$name".rss.* | sort -n | sed -n 2p
}

# beside NAME COMMAND... -> "KiB processes", the processes named above
beside() {
	name=$1
	shift
	"$@" >/dev/null 2>"$F/$name.beside.err" </dev/null &
	job=$!
	sleep 1.5
	if ! kill -0 "$job" 2>/dev/null; then
		wait "$job" || true
		echo "n/a (the container was not running after 1.5 s: $(reason "$F/$name.beside.err"))"
		return
	fi
	kib=0 names=""
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$T" || continue
		rss=$(awk '/^VmRSS:/ { print $2 }' "$p/status" 2>/dev/null)
		[ -n "$rss" ] || continue
		kib=$((kib + rss))
		names="$names${names:+ + }$(cat "$p/comm")"
	done
	wait "$job" || true
	echo "$kib ${names:-none}"
}

md "## Footprint"
md ""
md "Peak RSS of the run command (and what it waits for), median of 3 runs of \`true\`;"
md "then, while a container runs \`sleep 3\`, the resident memory of the processes"
md "that stay beside it."
md ""
md "| runtime | peak RSS KiB | beside a running container: KiB | processes |"
md "| --- | ---: | ---: | --- |"

# footprint_row NAME LABEL "RUN COMMAND" "SLEEP COMMAND" (words split)
footprint_row() {
	name=$1 label=$2
	k=$(echo "$name" | tr -- '-+' '__')
	log "footprint: $name"
	peak=$(eval "peak_rss $name $3")
	set -- $(eval "beside $name $4")
	if [ "$1" = "n/a" ]; then
		kib="$*" procs=""
	else
		kib=$1
		shift
		procs="$*"
	fi
	result "footprint_peak_rss_kib_$k" "$peak"
	result "footprint_beside_kib_$k" "$kib"
	result "footprint_beside_procs_$k" "$procs"
	md "| $label | $peak | $kib | $procs |"
}

if [ -n "$drydock_error" ]; then
	result footprint_peak_rss_kib_drydock "n/a ($drydock_error)"
	md "| \`drydock run\` | n/a ($drydock_error) | | |"
else
	footprint_row drydock "\`drydock run\`" \
		'"$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox true' \
		'"$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox sleep 3'
fi
footprint_row crun "\`crun run\`" \
	'$CRUN run --bundle "$T/bundle" bench-fp-crun' \
	'$CRUN run --bundle "$T/bundle-sleep" bench-fp-crun'
footprint_row runc "\`runc run\`" \
	'$RUNC run --bundle "$T/bundle" bench-fp-runc' \
	'$RUNC run --bundle "$T/bundle-sleep" bench-fp-runc'
if [ -n "$podman_error" ]; then
	result footprint_peak_rss_kib_podman "n/a ($podman_error)"
	md "| \`podman run\` | n/a ($podman_error) | | |"
else
	footprint_row podman "\`podman run\`" \
		'$PODMAN run --rm --network=host "$PODMAN_IMAGE" true' \
		'$PODMAN run --rm --network=host "$PODMAN_IMAGE" sleep 3'
fi
md ""
