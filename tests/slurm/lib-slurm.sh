# tests/slurm/lib-slurm.sh — a private single-node Slurm cluster for a test:
# munged, slurmctld and slurmd from the Debian packages (slurm-wlm, munge),
# with a generated slurm.conf, free ports, and every state, spool, log and
# socket file in one temporary directory. Sourced after tests/lib.sh:
#
#   . "$(dirname "$0")/lib-slurm.sh"
#   if ! start_cluster --max-array-size 1001; then
#       test_skip 'slurm' "$SLURM_SKIP"; test_done; exit 0   # or a case per skip
#   fi
#   test_case '...' 'sbatch --wait ...'
#   test_done                                             # stop_cluster runs on exit
#
# start_cluster [--max-array-size N] [--cpus N] [--kill-wait S] [--conf LINE]...
#   exports SLURM_CONF (the generated slurm.conf), SLURM_DIR (the cluster's
#   directory: slurmctld.log, slurmd.log, munged.log) and SLURM_PARTITION;
#   waits until the node is idle. --cpus claims N CPUs for the node (default:
#   the machine's, so tiny tasks can run more at once than cores exist);
#   --conf adds a slurm.conf line. Returns 1 with the reason in SLURM_SKIP
#   when Slurm cannot start here (not root, not installed, a daemon that
#   does not come up): the caller reports the test as skipped, never passed.
# stop_cluster: stops the daemons this file started, by pid; idempotent,
#   and installed on EXIT so a failing test does not leave them running.
# cluster_or_skip [start_cluster options]: for a test whose cases all need
#   the cluster: starts it, or reports the rest of the test skipped with the
#   reason (under `make sanitize` too: the cluster runs once, in make check;
#   a failed case where SMELT_REQUIRE_SLURM=1, as in CI) and exits.
#
# The settings are the ones that work in a container without systemd or
# cgroups: proctrack/linuxproc, task/none, cons_tres with CR_Core_Memory,
# ReturnToService=2, no accounting. SLURM_KEEP=1 leaves the directory for a
# post-mortem.

SLURM_SKIP=
SLURM_DIR=
slurm_pids=

# A TCP port nobody listens on (random in 20000..59999, checked with ss or
# /proc/net/tcp).
slurm_free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		p=$(( ($(od -An -N2 -tu2 /dev/urandom) % 40000) + 20000 ))
		hex=$(printf '%04X' "$p")
		if ! grep -q ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Wait up to $2 tenths of a second for the command in $1 to succeed.
slurm_wait_for() {
	n=0
	until eval "$1" >/dev/null 2>&1; do
		n=$((n + 1))
		[ "$n" -le "$2" ] || return 1
		sleep 0.1
	done
}

slurm_fail() { # reason: stop what started, say why
	SLURM_SKIP=$1
	stop_cluster
	return 1
}

start_cluster() {
	max_array=1001 cpus='' killwait=10 extra=''
	while [ $# -gt 0 ]; do
		case $1 in
		--max-array-size) max_array=$2; shift ;;
		--cpus) cpus=$2; shift ;;
		--kill-wait) killwait=$2; shift ;;
		--conf) extra="$extra$2
"; shift ;;
		*) echo "start_cluster: unknown option '$1'" >&2; return 2 ;;
		esac
		shift
	done
	if [ "$(id -u)" -ne 0 ]; then
		SLURM_SKIP="not root (munged, slurmctld and slurmd need root here)"
		return 1
	fi
	for c in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel; do
		if ! command -v "$c" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$c" ]; then
			SLURM_SKIP="'$c' is not installed (apt-get install slurm-wlm munge)"
			return 1
		fi
	done
	PATH="$PATH:/usr/sbin"
	if ! id munge >/dev/null 2>&1; then
		SLURM_SKIP="no 'munge' user (the munge package creates it)"
		return 1
	fi
	# Its own directory, not under the test's: munged runs as munge and
	# must reach it (the tests' scratch tree is root's, mode 0700).
	SLURM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smelt-slurm.XXXXXX") || {
		SLURM_SKIP="cannot create a temporary directory"
		return 1
	}
	chmod 0755 "$SLURM_DIR"
	# The EXIT trap of tests/lib.sh (and of tests/sim/lib-sim.sh, when
	# sourced), with the cluster's stop first.
	trap 'stop_cluster; if command -v sim_stop_all >/dev/null 2>&1; then sim_stop_all; fi; rm -rf "$test_root"' EXIT
	d=$SLURM_DIR
	mkdir -p "$d/munge" "$d/state" "$d/spool"
	chown munge:munge "$d/munge"
	chmod 0700 "$d/munge"

	# munged, as the munge user, with a key made for this cluster.
	if ! runuser -u munge -- mungekey --create --keyfile="$d/munge/munge.key" >"$d/mungekey.log" 2>&1; then
		slurm_fail "mungekey failed: $(tail -1 "$d/mungekey.log")"
		return 1
	fi
	runuser -u munge -- munged --foreground --force --socket="$d/munge/sock" \
		--key-file="$d/munge/munge.key" --pid-file="$d/munge/munged.pid" \
		--log-file="$d/munge/munged.log" --seed-file="$d/munge/seed" \
		>"$d/munged.out" 2>&1 &
	slurm_pids="$!"
	if ! slurm_wait_for "[ -S '$d/munge/sock' ]" 50; then
		slurm_fail "munged did not start: $(tail -1 "$d/munged.out" 2>/dev/null)"
		return 1
	fi
	chmod 0755 "$d/munge"

	: "${cpus:=$(nproc)}"
	mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
	if ! ctld_port=$(slurm_free_port) || ! node_port=$(slurm_free_port); then
		slurm_fail "no free TCP port"
		return 1
	fi
	name=smelt$(basename "$d" | tr -dc '[:alnum:]' | tr '[:upper:]' '[:lower:]' | tail -c 8)
	SLURM_PARTITION=smelt
	cat >"$d/slurm.conf" <<EOF
# written by tests/slurm/lib-slurm.sh for one test run
ClusterName=$name
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/sock
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool/%n
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
MaxArraySize=$max_array
MaxJobCount=100000
MinJobAge=30
KillWait=$killwait
SchedulerType=sched/builtin
SchedulerParameters=sched_min_interval=0,default_queue_depth=10000
DefMemPerCPU=64
NodeName=n1 NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$SLURM_PARTITION Nodes=n1 Default=YES MaxTime=INFINITE State=UP
$extra
EOF
	SLURM_CONF=$d/slurm.conf
	export SLURM_CONF SLURM_DIR SLURM_PARTITION
	mkdir -p "$d/spool/n1"

	slurmctld -D -i >"$d/slurmctld.out" 2>&1 &
	slurm_pids="$slurm_pids $!"
	if ! slurm_wait_for "scontrol ping | grep -q UP" 100; then
		slurm_fail "slurmctld did not start: $(tail -2 "$d/slurmctld.log" "$d/slurmctld.out" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	slurmd -D -N n1 >"$d/slurmd.out" 2>&1 &
	slurm_pids="$slurm_pids $!"
	if ! slurm_wait_for "sinfo -h -n n1 -o %t | grep -q '^idle'" 150; then
		slurm_fail "slurmd did not register: $(sinfo -h -n n1 -o '%t %E' 2>&1) $(tail -2 "$d/slurmd.log" "$d/slurmd.out" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	return 0
}

stop_cluster() {
	# Jobs first (their processes are children of slurmd's slurmstepd),
	# then the daemons, newest first.
	if [ -n "$slurm_pids" ] && [ -n "${SLURM_CONF:-}" ]; then
		scancel --quiet --full -u "$(id -un)" 2>/dev/null || true
	fi
	rev=
	for p in $slurm_pids; do rev="$p $rev"; done
	for p in $rev; do
		kill "$p" 2>/dev/null || continue
		n=0
		while kill -0 "$p" 2>/dev/null && [ "$n" -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	slurm_pids=
	# What slurmd started (slurmstepd and the jobs' processes) outlives it;
	# all of it carries this cluster's SLURM_CONF in its environment.
	if [ -n "$SLURM_DIR" ] && [ -d "$SLURM_DIR" ]; then
		for e in $(grep -l -s -F "SLURM_CONF=$SLURM_DIR/slurm.conf" /proc/[0-9]*/environ); do
			p=${e#/proc/}
			p=${p%/environ}
			[ "$p" = "$$" ] || kill -9 "$p" 2>/dev/null || true
		done
		if [ "${SLURM_KEEP:-0}" = 1 ]; then
			echo "# slurm cluster kept in $SLURM_DIR" >&2
		else
			rm -rf "$SLURM_DIR"
		fi
	fi
	SLURM_DIR=
}

cluster_or_skip() {
	if [ "${SMELT_SANITIZE:-0}" = 1 ]; then
		SLURM_SKIP='run once, by make check, not again under make sanitize'
	elif start_cluster "$@"; then
		return 0
	elif [ "${SMELT_REQUIRE_SLURM:-0}" = 1 ]; then
		test_case "the Slurm cluster starts (SMELT_REQUIRE_SLURM=1): $SLURM_SKIP" false
	fi
	test_skip 'slurm cluster' "$SLURM_SKIP"
	test_done
	exit # test_done's status: a failed case above fails the test
}
