# scale.sh: SCALE_N containers started at once and removed (sourced by
# run.sh).  Reports the wall time until the last one is gone, how many
# failed (must be 0), and what they left behind (must be nothing): mounts
# under the runtime's state, processes that name it, container entries.

C=$T/scale
mkdir -p "$C"

# What a runtime has left: "mounts processes entries" under its state.
# entries_cmd prints how many containers the runtime still knows of.
leftovers() {
	state=$1 entries_cmd=$2
	echo "$(mounts_under "$state") $(procs_mentioning "$state") $(eval "$entries_cmd")"
}

# scale NAME LABEL STATE ENTRIES_CMD COMMAND: COMMAND may use $i, the
# container's number, for a unique id.
scale() {
	name=$1 label=$2 state=$3 entries_cmd=$4 cmd=$5
	k=$(echo "$name" | tr -- '-+' '__')
	set -- $(leftovers "$state" "$entries_cmd")
	before_mounts=$1 before_procs=$2 before_entries=$3
	log "scale: $SCALE_N x $name"
	rm -f "$C/$name".*
	start=$(now)
	i=0
	while [ "$i" -lt "$SCALE_N" ]; do
		i=$((i + 1))
		(
			status=0
			eval "timeout 300 $cmd" >/dev/null 2>>"$C/$name.err" </dev/null || status=$?
			echo "$status" >"$C/$name.$i.status"
		) &
	done
	wait
	end=$(now)
	failed=$(cat "$C/$name".*.status | grep -vc '^0$' || true)
	# Give exiting processes a moment to be reaped before counting them.
	sleep 1
	set -- $(leftovers "$state" "$entries_cmd")
	mounts=$(($1 - before_mounts)) procs=$(($2 - before_procs)) entries=$(($3 - before_entries))
	wall=$(elapsed "$start" "$end")
	result "scale_wall_s_$k" "$wall"
	result "scale_failures_$k" "$failed"
	result "scale_leftover_mounts_$k" "$mounts"
	result "scale_leftover_procs_$k" "$procs"
	result "scale_leftover_entries_$k" "$entries"
	note=""
	[ "$failed" -gt 0 ] && note="first error: $(head -n 1 "$C/$name.err" | cut -c 1-120)"
	md "| $label | $SCALE_N | $wall | $failed | $mounts | $procs | $entries | $note |"
}

scale_na() {
	k=$(echo "$1" | tr -- '-+' '__')
	result "scale_wall_s_$k" "n/a ($3)"
	md "| $2 | $SCALE_N | n/a ($3) | | | | | |"
}

md "## Scale: $SCALE_N containers at once"
md ""
md "Each runs \`true\` and is removed; wall time from the first start to the last exit."
md "Left behind: mounts under the runtime's state directory, processes naming it,"
md "containers the runtime still lists (drydock: entries in containers/ under both roots and names/)."
md ""
md "| runtime | containers | wall s | failed | mounts left | processes left | containers left | note |"
md "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
if [ -n "$drydock_error" ]; then
	scale_na drydock "\`drydock run --rm\`" "$drydock_error"
else
	scale drydock "\`drydock run --rm\`" "$DDROOT" \
		'echo $(($(entries "$DDROOT/containers") + $(entries "$DDRUN/containers") + $(entries "$DDRUN/names")))' \
		'"$DD" --root "$DDROOT" --runroot "$DDRUN" run --rm busybox true'
fi
scale crun "\`crun run\`, no cgroup" "$RUN/crun-state" 'entries "$RUN/crun-state"' \
	'$CRUN run --bundle "$T/bundle" "bench-scale-$i"'
scale runc "\`runc run\`, cgroupfs" "$RUN/runc-state" 'entries "$RUN/runc-state"' \
	'$RUNC run --bundle "$T/bundle" "bench-scale-$i"'
if [ -n "$podman_error" ]; then
	scale_na podman "\`podman run --rm\`" "$podman_error"
else
	scale podman "\`podman run --rm\`" "$T/podman" '$PODMAN ps -aq | wc -l' \
		'$PODMAN run --rm --network=host "$PODMAN_IMAGE" true'
fi
md ""
