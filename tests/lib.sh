# tests/lib.sh — sourced by every shell test (git's test-lib, much reduced).
#
#   . "$(dirname "$0")/../lib.sh"
#   test_case 'name' '
#       smelt-cat in.jsonl --plain >out &&
#       test_cmp expect out
#   '
#   test_done
#
# Each case runs in a fresh scratch directory ($SCRATCH) under `set -e`-like
# && chains; the bins under test are first on PATH. Output is TAP.
set -u
: "${SMELT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SMELT_BIN:=$SMELT_TOP/bin}"
PATH="$SMELT_BIN:$PATH"
# Data files (prompts/, knowledge_tree/) come from the checkout, whichever build runs.
SMELT_SHARE="$SMELT_TOP"
export PATH SMELT_TOP SMELT_SHARE
FIXTURES="$SMELT_TOP/tests/fixtures"
test_count=0
test_failed=0
test_root=$(mktemp -d "${TMPDIR:-/tmp}/smelt-t.XXXXXX")
trap 'rm -rf "$test_root"' EXIT

test_case() {
	test_count=$((test_count + 1))
	SCRATCH="$test_root/$test_count"
	mkdir -p "$SCRATCH"
	if (cd "$SCRATCH" && eval "$2") >"$SCRATCH.log" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$SCRATCH.log" | tail -30
	fi
}

# Skip a case with a reason (counts as neither pass nor fail).
test_skip() {
	echo "# skip - $1: $2"
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# Compare files exactly, showing a diff on mismatch.
test_cmp() {
	diff -u "$1" "$2"
}

# Run a command and require a given exit status: test_status 3 cmd args...
test_status() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
	return 0
}

# Decompress if needed and print: auto-detects zstd.
cat_any() {
	for f in "$@"; do
		if head -c4 "$f" | od -An -tx1 | grep -q '28 b5 2f fd'; then
			zstd -dcq "$f"
		else
			cat "$f"
		fi
	done
}

# Validate JSON Lines against a schema with ajv (tests/tools/validate.js).
validate() { # schema file...
	node "$SMELT_TOP/tests/tools/validate.js" "$@"
}
