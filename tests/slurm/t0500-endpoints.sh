#!/bin/sh
# serial: starts a Slurm cluster that claims more CPUs than the machine has
# Model servers as Slurm jobs: three smelt-sim servers started through
# scripts/slurm/vllm-server.sbatch (SERVER_CMD in place of vllm) list
# themselves in an endpoints file; smelt-gen --endpoints-file spreads a run
# over them; one job is scancel'ed mid-run (its trap removes its line), a
# fourth is submitted mid-run. Every record comes out once and --stats shows
# requests on all three, then on the two left and the new one. Without the
# test cluster (not root, Slurm not installed) those cases are skipped with
# the reason; the template's own cases run without Slurm.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/llm/lib-endpoints.sh"

R=$test_root
TEMPLATE=$SMELT_TOP/scripts/slurm/vllm-server.sbatch
make_prompt "$R/p.prompt"
unset OPENAI_API_KEY
# The servers listen on every address; their lines name this host, as on a
# cluster, unless its name does not resolve here.
getent hosts "$(hostname)" >/dev/null 2>&1 || ENDPOINT_HOST=127.0.0.1
export ENDPOINT_HOST

test_case 'the template: usage error without MODEL and ENDPOINTS_FILE' '
	bash -n "$TEMPLATE" &&
	test_status 2 bash "$TEMPLATE" 2>err &&
	grep -q "usage: sbatch vllm-server.sbatch MODEL ENDPOINTS_FILE" err
'

test_case 'the template outside Slurm: listed once healthy, unlisted on SIGTERM' '
	echo "# servers" >eps &&
	SERVER_CMD="smelt-sim --host 0.0.0.0 --port \$PORT" bash "$TEMPLATE" smelt-sim "$PWD/eps" >job.out 2>&1 &
	job=$!
	wait_for "the server to list itself" grep -q "^http://.*/v1$" eps &&
	cat job.out &&
	url=$(grep "^http" eps) &&
	curl -sSf "${url%/v1}/health" &&
	kill -TERM "$job" &&
	wait "$job" &&
	cat job.out &&
	test "$(cat eps)" = "# servers" &&
	! curl -sS "${url%/v1}/health" 2>/dev/null
'

if [ ! -f "$SMELT_TOP/tests/slurm/lib-slurm.sh" ]; then
	test_skip 'servers as Slurm jobs' 'tests/slurm/lib-slurm.sh (the test cluster) is missing'
	test_done
	exit
fi
. "$SMELT_TOP/tests/slurm/lib-slurm.sh"
# four servers at once on a machine of two cores: they mostly wait
if ! start_cluster --cpus 8; then
	test_skip 'servers as Slurm jobs' "$SLURM_SKIP"
	test_done
	exit
fi

# server NAME LATENCY_MS: submit one server job, print its job id.
server() {
	SERVER_CMD="smelt-sim --host 0.0.0.0 --port \$PORT --threads 2 --latency-ms $2" \
		sbatch --parsable --job-name="$1" --partition="$SLURM_PARTITION" --gres=none \
		--cpus-per-task=1 --mem=200M --time=10 --output="$R/$1.out" \
		"$TEMPLATE" smelt-sim "$R/eps"
}

# port_of NAME: the port the job's server listens on (from its log).
port_of() {
	sed -n "s/^vllm-server: starting on .* port //p" "$R/$1.out"
}

# all_removed: every server job has said it removed its line.
all_removed() {
	for s in s1 s2 s3 s4; do
		grep -q "vllm-server: removed http" "$R/$s.out" || return 1
	done
}

# lines N: the endpoints file has N URLs.
lines() {
	test "$(grep -c "^http" "$R/eps" 2>/dev/null)" = "$1"
}

test_case 'three servers as Slurm jobs list themselves' '
	: >"$R/eps" &&
	J1=$(server s1 5) && J2=$(server s2 5) &&
	# the one to be cancelled answers slowly: it has requests in flight then
	J3=$(server s3 300) &&
	echo "$J1 $J2 $J3" >"$R/jobs" &&
	wait_for "three lines in the endpoints file" lines 3 &&
	cat "$R/eps" &&
	for s in s1 s2 s3; do grep -q ":$(port_of $s)/v1\$" "$R/eps" || exit 1; done
'

# phased_run's hooks: server 3's job is cancelled (its trap removes its
# line); a fourth job is submitted.
server_leaves() {
	scancel "$J3" &&
	wait_for "the cancelled job to remove its line" lines 2 &&
	! grep -q ":$P3/v1" "$R/eps"
}
server_joins() {
	J4=$(server s4 5) &&
	wait_for "the new job to list itself" lines 3 &&
	P4=$(port_of s4) && U4=http://$H:$P4 &&
	echo "$J4 $P4" >"$R/job4"
}

# the servers' ports and base URLs, from their logs and the file
servers() {
	read J1 J2 J3 <"$R/jobs" &&
	P1=$(port_of s1) && P2=$(port_of s2) && P3=$(port_of s3) &&
	H=$(sed -n "1s|^http://\([^:]*\):.*|\1|p" "$R/eps") &&
	U1=http://$H:$P1 U2=http://$H:$P2 U3=http://$H:$P3 &&
	if [ -f "$R/job4" ]; then read J4 P4 <"$R/job4" && U4=http://$H:$P4; fi
}

test_case 'one scancel'\''ed, one submitted mid-run: every record once' '
	servers &&
	phased_run "$R/eps" &&
	cp gen.err st.json at-leave "$R/"
'

test_case '--stats: requests on all three, then on the two left and the new one' '
	servers &&
	spread_shown "$R/st.json" "$R/at-leave" &&
	grep -q "endpoint http://[^ ]*:$P3/v1 left $R/eps" "$R/gen.err"
'

test_case 'cancelled jobs take their lines with them' '
	servers &&
	scancel "$J1" "$J2" "$J4" &&
	wait_for "every job to say it removed its line" all_removed &&
	lines 0
'

test_done
