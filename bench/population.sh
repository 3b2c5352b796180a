#!/usr/bin/env bash
# population.sh start N FILE | stop FILE
#
# start: starts about N sleeping processes in groups of ten. Each group has
# its own network, UTS and IPC namespaces; every fourth group also has a
# PID namespace with another nested inside it. Each group is its own
# session; the group leaders' PIDs go to FILE, one a line.
# stop: kills every process group listed in FILE, by its leader's PID.
set -euo pipefail

sleeper='i=0; while [ $i -lt 9 ]; do sleep 1000000 & i=$((i+1)); done; exec sleep 1000000'
nested="unshare -p -f --kill-child sh -c 'i=0; while [ \$i -lt 3 ]; do sleep 1000000 & i=\$((i+1)); done; exec sleep 1000000' &
i=0; while [ \$i -lt 4 ]; do sleep 1000000 & i=\$((i+1)); done; exec sleep 1000000"

start() {
	local n=$1 file=$2 groups=$(($1 / 10)) g
	: > "$file"
	for ((g = 0; g < groups; g++)); do
		if ((g % 4 == 3)); then
			setsid unshare -n -u -i -p -f --kill-child sh -c "$nested" </dev/null >/dev/null 2>&1 &
		else
			setsid unshare -n -u -i sh -c "$sleeper" </dev/null >/dev/null 2>&1 &
		fi
		echo $! >> "$file"
	done
	# Wait until the sleepers are up (each group runs at least 9 sleeps).
	local want=$((groups * 9)) have=0 tries=0
	while ((have < want && tries < 600)); do
		sleep 0.5
		have=$(pgrep -c -x sleep || true)
		tries=$((tries + 1))
	done
}

stop() {
	local pid
	while read -r pid; do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done < "$1"
	rm -f "$1"
}

case "${1:-}" in
start) start "$2" "$3" ;;
stop) stop "$2" ;;
*) echo "usage: $0 start N FILE | stop FILE" >&2; exit 2 ;;
esac
