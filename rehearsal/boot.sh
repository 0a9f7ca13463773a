#!/bin/bash
# Boots the rehearsal host: a real systemd as PID 1 of new PID, mount, UTS, IPC, network and cgroup namespaces,
# on an overlay of this machine's root filesystem whose upper layer is a tmpfs. Run by rehearsal/host.ts as
#   boot.sh <workdir> <cgroup-dir> <apt-archives-dir>
# detached; it execs systemd and never returns. What it relies on (kernel 6.x, util-linux 2.38, systemd 252):
# - `unshare --mount --propagation private`: mounts made here are invisible to this machine and vanish with the
#   namespace (no stale mount if the rehearsal dies).
# - `mount --bind / lower` (not --rbind) takes the root filesystem alone, without /proc, /sys, /dev or other
#   submounts; overlayfs over it sends every write (dpkg, /etc, /opt, /var) to the tmpfs upper layer, so this
#   machine's packages, /etc and services are never changed, and purging a package in the overlay only hides it.
# - The process joins a fresh cgroup v2 directory before `unshare --cgroup`, so the namespace's cgroup root is that
#   directory; cgroup2 mounted inside shows only it. systemd then runs in unified mode in its own subtree and never
#   touches this machine's cgroups or another engineer's systemd.
# - /sys is mounted read-only: systemd-udevd and other units with ConditionPathIsReadWrite=/sys do not start, so
#   no udev event is replayed on this machine's devices.
# - `container=kreh` tells systemd it is in a container (it skips hardware units, ConditionVirtualization).
# - PID 1 is systemd (exec), `--unit=basic.target`: this machine's own enabled services (PostgreSQL, Prometheus,
#   fail2ban, CrowdSec of the lower layer) are not started; the rehearsal's sshd and what the program enables are.
set -euo pipefail
work=$1 cgroup=$2 archives=$3
echo $$ > "$cgroup/cgroup.procs"
exec unshare --pid --fork --mount --propagation private --uts --ipc --net --cgroup -- /bin/bash -euo pipefail -c '
  work=$1 archives=$2
  mount -t tmpfs -o mode=0755 kreh-layers "$work"
  mkdir "$work/lower" "$work/upper" "$work/work" "$work/root"
  mount --bind / "$work/lower"
  mount -t overlay kreh-root -o "lowerdir=$work/lower,upperdir=$work/upper,workdir=$work/work" "$work/root"
  root=$work/root
  mount -t proc proc "$root/proc"
  mount -t sysfs -o ro sysfs "$root/sys"
  mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=0755 tmpfs "$root/run"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount --bind "$archives" "$root/var/cache/apt/archives"
  hostname kreh-rehearsal
  cd "$root"
  exec env -i container=kreh PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" /lib/systemd/systemd --system --unit=basic.target
' kreh-boot "$work" "$archives"
