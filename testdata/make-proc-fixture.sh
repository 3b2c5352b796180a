#!/usr/bin/env bash
# Regenerates testdata/proc, a small fake procfs for unit and golden tests,
# and testdata/proc-deep, one with ten nested PID namespaces and a process
# with many children, for the tree views.
# Namespace links are dangling symlinks whose targets read like the
# kernel's ("net:[4026531840]"), so readlink works and stat does not.
# Owners of the /proc/PID directories are listed in testdata/proc-owners
# (the fixture loader applies them, since git does not keep owners).
set -euo pipefail
cd "$(dirname "$0")"
OUT=proc
rm -rf proc proc-deep && mkdir proc proc-deep
: > proc-owners
: > proc-deep-owners

# The container of PIDs 301 and 302: a Kubernetes pod's, run by containerd,
# whose runc state (under PID 1's root, the host's /) names it.
POD_UID=6f1b3c52-8d1e-4b7a-9c3e-2f4a5b6c7d8e
CONTAINER_ID=3f2c9d4b8a7e6f5041329c8b7a6d5e4f3c2b1a09f8e7d6c5b4a3928170f6e5d4
POD_CGROUP=/kubepods/besteffort/pod$POD_UID/$CONTAINER_ID

# Initial namespaces and the container's and sandbox's namespaces.
declare -A HOST=([cgroup]=4026531835 [ipc]=4026531839 [mnt]=4026531841 [net]=4026531840
  [pid]=4026531836 [time]=4026531834 [user]=4026531837 [uts]=4026531838)

# proc PID PPID UID STATE COMM CMDLINE CGROUP NSPID TYPE=INODE...
# CMDLINE uses printf escapes; arguments are separated by \0.
proc() {
  local pid=$1 ppid=$2 uid=$3 state=$4 comm=$5 cmdline=$6 cgroup=$7 nspid=$8
  shift 8
  local d=$OUT/$pid
  mkdir -p "$d/ns"
  # Kernel threads (kthreadd, PID 2, and its children) carry PF_KTHREAD.
  local flags=4194560
  if [ "$pid" = 2 ] || [ "$ppid" = 2 ]; then flags=2129984; fi
  printf '%s (%b) %s %s %s %s 0 -1 %s 100 0 0 0 1 2 0 0 20 0 1 0 42 1000 10 0\n' \
    "$pid" "$comm" "$state" "$ppid" "$pid" "$pid" "$flags" > "$d/stat"
  printf '%b' "$cmdline" > "$d/cmdline"
  printf '0::%s\n' "$cgroup" > "$d/cgroup"
  printf 'Name:\t%b\nState:\t%s\nPid:\t%s\nPPid:\t%s\nNSpid:\t%s\n' "$comm" "$state" "$pid" "$ppid" "$nspid" > "$d/status"
  declare -A ns
  for t in "${!HOST[@]}"; do ns[$t]=${HOST[$t]}; done
  for kv in "$@"; do ns[${kv%%=*}]=${kv#*=}; done
  if [ "$state" != Z ]; then
    for t in "${!ns[@]}"; do ln -s "$t:[${ns[$t]}]" "$d/ns/$t"; done
  fi
  echo "$pid $uid" >> "$OUT-owners"
}

proc 1 0 0 S systemd '/sbin/init\0splash\0' /init.scope 1
proc 2 0 0 S kthreadd '' / 2
proc 20 2 0 I 'kworker/0:1' '' / 20
proc 100 1 0 S sshd 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups\0' /system.slice/ssh.service 100
proc 200 100 424242 S 'my (odd) name' '/bin/bash\0--login\0' /user.slice/user-424242.slice 200
proc 201 200 424242 S 'evil\e]0;pwned\a' 'evil\e[2J\e]0;pwned\a\0--name\0line1\nline2\0\xff\xfe\0\u202eesrever\0' /user.slice/user-424242.slice 201
proc 203 200 424242 S 'x) (y\nz' 'x\0' /user.slice/user-424242.slice 203
proc 202 200 424242 Z defunct '' /user.slice/user-424242.slice 202
# A container: new pid, net, uts, ipc, mnt namespaces.
proc 300 1 0 S containerd-shim '/usr/bin/containerd-shim-runc-v2\0-namespace\0k8s.io\0' /system.slice/containerd.service 300
proc 301 300 0 S nginx 'nginx: master process nginx -g daemon off;\0' "$POD_CGROUP" '301 1' \
  pid=4026532300 net=4026532301 uts=4026532302 ipc=4026532303 mnt=4026532304
proc 302 301 33 S nginx 'nginx: worker process\0' "$POD_CGROUP" '302 2' \
  pid=4026532300 net=4026532301 uts=4026532302 ipc=4026532303 mnt=4026532304
# A rootless sandbox: a user namespace owning a pid namespace, with a
# nested pid namespace inside it (three levels: host, 1, 2).
proc 400 200 424242 S bwrap 'bwrap\0--unshare-all\0--\0sh\0' /user.slice/user-424242.slice 400
proc 401 400 424242 S sh 'sh\0' /user.slice/user-424242.slice '401 1' \
  user=4026532400 pid=4026532401 net=4026532402 mnt=4026532403 uts=4026532404 ipc=4026532405 cgroup=4026532406
proc 402 401 424242 S sleep 'sleep\0infinity\0' /user.slice/user-424242.slice '402 2 1' \
  user=4026532400 pid=4026532407 net=4026532402 mnt=4026532403 uts=4026532404 ipc=4026532405 cgroup=4026532406
proc 500 1 65534 S daemon 'daemon\0' /system.slice/daemon.service 500 time=4026532500

# Entries that are not processes; self/mountinfo shows the container's
# network namespace bind-mounted, as `ip netns add` does.
mkdir -p proc/self proc/sys/kernel
echo 32768 > proc/sys/kernel/pid_max
printf '%s\n' \
  '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw' \
  '65 22 0:4 net:[4026532301] /run/netns/pod\0401 rw shared:2 - nsfs nsfs rw' \
  '66 22 0:4 net:[4026532301] /var/run/netns/pod\0401 rw shared:2 - nsfs nsfs rw' \
  '67 22 0:4 mnt:[4026599999] /run/gone rw - nsfs nsfs rw' > proc/self/mountinfo
printf 'not a process\n' > proc/uptime
state=proc/1/root/run/containerd/runc/k8s.io/$CONTAINER_ID
mkdir -p "$state"
printf '{"id":"%s","config":{"labels":["io.kubernetes.cri.container-type=container","io.kubernetes.cri.container-name=nginx","io.kubernetes.cri.sandbox-name=web-0","io.kubernetes.cri.sandbox-namespace=shop","io.kubernetes.cri.sandbox-uid=%s","bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s"]}}\n' \
  "$CONTAINER_ID" "$POD_UID" "$CONTAINER_ID" > "$state/state.json"
sort -n proc-owners -o proc-owners

# proc-deep: init, then a chain of ten nested PID namespaces, each made by
# the previous level's process; at the bottom a shell with 30 children,
# some named with control characters.
OUT=proc-deep
proc 1 0 0 S init '/sbin/init\0' / 1
ppid=1
for level in $(seq 1 10); do
  pid=$((100 + level))
  # NSpid: the host PID, then the PID at each level; 1 in its own namespace.
  ids="$pid"
  for k in $(seq 1 "$level"); do ids="$ids $((level - k + 1))"; done
  proc "$pid" "$ppid" 0 S "level$level" "sandbox\\0--level=$level\\0" / "$ids" pid=$((4026533000 + level))
  ppid=$pid
done
for i in $(seq 1 30); do
  name="worker$i"
  [ "$i" = 7 ] && name='bad\e[31mred\a'
  [ "$i" = 8 ] && name='two\nlines'
  ids="$((200 + i))"
  for k in $(seq 1 9); do ids="$ids $((i + 11 - k))"; done
  proc $((200 + i)) 110 0 S "$name" "$name\0" / "$ids $((i + 1))" pid=4026533010
done
sort -n proc-deep-owners -o proc-deep-owners
