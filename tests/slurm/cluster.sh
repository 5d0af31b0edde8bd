#!/usr/bin/env bash
# A one-node Slurm cluster on this machine for the tests: munged (as user
# munge), slurmctld and slurmd from Debian's slurm-wlm, one partition
# "debug" with this machine's CPUs. No accounting daemon: deepmem reads
# finished tasks' states with scontrol where sacct has no data.
#
#   tests/slurm/cluster.sh start   # prints "slurm: up (N CPUs)" when sbatch works
#   tests/slurm/cluster.sh stop
#   tests/slurm/cluster.sh status
#
# State lives under $DEEPMEM_SLURM_DIR (default /tmp/deepmem-slurm); the
# config is /etc/slurm/slurm.conf (where the Debian tools look for it).
set -euo pipefail
dir=${DEEPMEM_SLURM_DIR:-/tmp/deepmem-slurm}
conf=/etc/slurm/slurm.conf

need() { command -v "$1" >/dev/null 2>&1 || { echo "slurm: $1 not found (apt-get install slurm-wlm munge)" >&2; exit 2; }; }

start() {
  need munged; need slurmctld; need slurmd; need sbatch
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
  mkdir -p "$dir"/{ctld,d,log} /run/munge /var/log/munge /var/lib/munge /etc/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
  fi
  mkdir -p /etc/slurm
  cat > "$conf" <<CONF
# Written by DeepMem's tests/slurm/cluster.sh: a one-node test cluster.
ClusterName=deepmem-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=3600
DefMemPerCPU=1024
MaxArraySize=100001
MaxJobCount=100000
JobAcctGatherType=jobacct_gather/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  pgrep -x slurmctld >/dev/null || slurmctld -c
  pgrep -x slurmd >/dev/null || slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm: up ($cpus CPUs, partition debug)"
      return 0
    fi
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  echo "slurm: the node did not come up; logs in $dir/log" >&2
  tail -5 "$dir"/log/*.log >&2 || true
  exit 1
}

stop() {
  scancel --user=root >/dev/null 2>&1 || true
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  for _ in $(seq 1 20); do
    pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || break
    sleep 0.5
  done
  echo "slurm: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo && squeue ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
