#!/usr/bin/env bash
# population.sh start N FILE | stop FILE
#
# start: starts about N sleeping processes in groups of ten, shaped like a
# busy container host so that a namespace lister pays for discovery and
# attribution:
#   - each group has its own network, UTS and IPC namespaces; every fourth
#     group also a PID namespace with another nested inside it;
#   - every fifth group's last process has four threads (bench/threads.c);
#   - every eighth group leaves behind a network namespace held only by a
#     bind mount (unshare --net=FILE true), and as many others bind their
#     own network namespace onto a file; both under /run/nsview-bench.*;
#   - every sixth group has a private mount namespace, with a tmpfs of its
#     own and its UTS namespace bound onto a file there;
#   - every group runs in a runtime-shaped cgroup, the same path in each
#     v1 hierarchy and the unified one: even groups docker/ID, odd groups
#     kubepods/besteffort/podUID/ID with a runc state.json carrying CRI
#     labels under /run/containerd/runc/k8s.io/ID, so that names resolve.
#     The memory and cpuset hierarchies are left alone (memory may be the
#     limit this machine runs us under; cpuset needs cpus and mems set).
# Each group is its own session. The group leaders' PIDs go to FILE, one a
# line; everything else start creates is logged to FILE.undo.
# stop: kills every process group listed in FILE, by its leader's PID, then
# undoes FILE.undo in reverse: bind mounts, files, state directories,
# cgroups.
set -euo pipefail

sleeps='i=0; while [ $i -lt 9 ]; do sleep 1000000 & i=$((i+1)); done'
nested="unshare -p -f --kill-child sh -c 'i=0; while [ \$i -lt 3 ]; do sleep 1000000 & i=\$((i+1)); done; exec sleep 1000000' &
i=0; while [ \$i -lt 4 ]; do sleep 1000000 & i=\$((i+1)); done"

undo_log=
# undo records the command that undoes what start just created.
undo() { echo "$*" >> "$undo_log"; }

# hierarchies prints the cgroup hierarchies to place groups in.
hierarchies() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
		return
	fi
	local h
	for h in /sys/fs/cgroup/*; do
		[ -d "$h" ] && [ ! -L "$h" ] || continue
		case "${h##*/}" in memory | cpuset) continue ;; esac
		case "$(stat -f -c %T "$h")" in cgroupfs | cgroup2fs) echo "$h" ;; esac
	done
}

# mkcgroup creates REL in every hierarchy (and the parents it lacks,
# logged for removal) and prints the cgroup.procs files.
mkcgroup() {
	local rel=$1 h sub path
	for h in $hier; do
		path=$h
		for sub in ${rel//\// }; do
			path=$path/$sub
			if [ ! -d "$path" ]; then
				mkdir "$path"
				undo rmcgroup "$path"
			fi
		done
		echo "$path/cgroup.procs"
	done
}

# newid prints a 64-hex-digit container ID.
newid() {
	local a b
	read -r a < /proc/sys/kernel/random/uuid
	read -r b < /proc/sys/kernel/random/uuid
	a=${a//-/} b=${b//-/}
	echo "$a$b"
}

# runcstate writes the runc state a CRI container ID of pod UID would have.
runcstate() {
	local id=$1 uid=$2 g=$3 dir=/run/containerd/runc/k8s.io/$1
	mkdir -p "$dir"
	undo rm -rf "$dir"
	printf '{"id":"%s","config":{"labels":["io.kubernetes.cri.container-type=container","io.kubernetes.cri.container-name=app","io.kubernetes.cri.sandbox-name=bench-%s","io.kubernetes.cri.sandbox-namespace=nsview-bench","io.kubernetes.cri.sandbox-uid=%s","bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s"]}}\n' \
		"$id" "$g" "$uid" "$id" > "$dir/state.json"
}

# group starts group G, its processes in the cgroup REL.
group() {
	local g=$1 rel=$2 flags=(-n -u -i) prelude="" last="sleep 1000000" body script
	if ((g % 5 == 0)); then last="$threads 4"; fi
	body=$sleeps
	if ((g % 4 == 3)); then
		flags+=(-p -f --kill-child)
		body=$nested
	fi
	if ((g % 6 == 2)); then
		# Drop the copies of the host's bench mounts, then bind our UTS
		# namespace inside a tmpfs only this mount namespace sees.
		flags+=(-m)
		prelude="umount -l $dir; mount -t tmpfs nsview-bench $dir; : > $dir/uts; mount --bind /proc/self/ns/uts $dir/uts; "
	elif ((g % 8 == 5)); then
		: > "$dir/net$g"
		undo rm -f "$dir/net$g"
		undo umount "$dir/net$g"
		prelude="mount --bind /proc/self/ns/net $dir/net$g; "
	fi
	script="$prelude$body; exec $last"
	# shellcheck disable=SC2016 # $1, $$ and $@ are the inner shell's
	setsid sh -c 'for f in $1; do echo $$ > "$f"; done; shift; exec "$@"' sh \
		"$(mkcgroup "$rel")" unshare "${flags[@]}" sh -c "$script" </dev/null >/dev/null 2>&1 &
	echo $! >> "$file"
}

start() {
	local n=$1 groups=$(($1 / 10)) g id uid rel
	file=$2
	undo_log=$file.undo
	: > "$file"
	: > "$undo_log"
	hier=$(hierarchies)
	threads=$file.threads
	gcc -O2 -pthread -o "$threads" "$(dirname "$0")/threads.c"
	undo rm -f "$threads"
	dir=$(mktemp -d /run/nsview-bench.XXXXXX)
	undo rmdir "$dir"
	mount -t tmpfs nsview-bench "$dir"
	mount --make-private "$dir"
	undo umount "$dir"
	local procs=()
	for ((g = 0; g < groups; g++)); do
		id=$(newid)
		if ((g % 2 == 0)); then
			rel=docker/$id
		else
			read -r uid < /proc/sys/kernel/random/uuid
			rel=kubepods/besteffort/pod$uid/$id
			runcstate "$id" "$uid" "$g"
		fi
		if ((g % 8 == 1)); then
			: > "$dir/held$g"
			undo rm -f "$dir/held$g"
			unshare --net="$dir/held$g" true
			undo umount "$dir/held$g"
		fi
		group "$g" "$rel"
		procs+=("${hier%%$'\n'*}/$rel/cgroup.procs")
	done
	# Wait until the groups are up (each runs at least ten processes).
	local want=$((groups * 10)) have=0 tries=0
	while ((have < want && tries < 600)); do
		sleep 0.5
		have=$(cat "${procs[@]}" | wc -l)
		tries=$((tries + 1))
	done
}

# rmcgroup removes a cgroup once the killed processes in it have gone.
rmcgroup() {
	local tries=0
	until rmdir "$1" 2>/dev/null || [ ! -d "$1" ]; do
		((++tries < 100)) || { echo "population.sh: cannot remove cgroup $1" >&2; return; }
		sleep 0.1
	done
}

stop() {
	local pid cmd
	if [ -f "$1" ]; then
		while read -r pid; do
			kill -KILL -- "-$pid" 2>/dev/null || true
		done < "$1"
		rm -f "$1"
	fi
	if [ -f "$1.undo" ]; then
		tac "$1.undo" | while read -r cmd; do
			# shellcheck disable=SC2086 # the logged command's words
			$cmd 2>/dev/null || true
		done
		rm -f "$1.undo"
	fi
}

case "${1:-}" in
start) start "$2" "$3" ;;
stop) stop "$2" ;;
*) echo "usage: $0 start N FILE | stop FILE" >&2; exit 2 ;;
esac
