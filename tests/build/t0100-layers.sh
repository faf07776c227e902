#!/bin/sh
# t0100-layers.sh — scripts/check-layers (make check-layers) passes the tree
# as it is and catches each kind of slip in a copy of pipeline/ and stages/:
# an include of a higher layer or of a peer, of sim/ from the library or a
# stage, of more than core/ from sim/, a file outside the layer folders, and
# an include of a header that does not exist. Each case names the file and
# line.
. "$(dirname "$0")/../lib.sh"

check="$SMELT_TOP/scripts/check-layers"

# Copy the real tree to ./tree and keep what check-layers says about the
# untouched copy (sorted violation lines) in ./base.
copy_tree() {
	mkdir tree &&
	cp -R "$SMELT_TOP/pipeline" "$SMELT_TOP/stages" tree/ &&
	test -s tree/pipeline/core/sbuf.h &&
	{ sh "$check" tree 2>&1 >/dev/null; true; } | { grep -v '^check-layers:' || true; } | sort >base
}

# Append an include to FILE in the copy; print its line number.
add_include() { # file header
	printf '#include "%s"\n' "$2" >>"tree/$1" &&
	wc -l <"tree/$1" | tr -d ' '
}

# check-layers must exit 1; ./new gets the violations the untouched copy
# did not have.
new_violations() {
	test_status 1 sh "$check" tree >out 2>err &&
	test ! -s out &&
	grep -v '^check-layers:' err | sort >now &&
	comm -13 base now >new &&
	grep -q '^check-layers: [0-9]* violations\{0,1\} ' err
}

test_case 'the tree as it is passes, in place and copied' '
	sh "$check" >out 2>err &&
	test ! -s err &&
	n=$(cd "$SMELT_TOP" && find pipeline stages -name "*.[ch]" | wc -l | tr -d " ") &&
	echo "check-layers: ok ($n files)" >want &&
	test_cmp want out &&
	copy_tree && test ! -s base &&
	sh "$check" tree >out2 &&
	test_cmp want out2
'

test_case 'a low layer including a higher one fails, naming file and line' '
	copy_tree &&
	n=$(add_include pipeline/core/sbuf.h llm/llm_engine.h) &&
	new_violations &&
	echo "pipeline/core/sbuf.h:$n: includes \"llm/llm_engine.h\" (layer 5) from layer 0: a layer includes only its own and lower layers" >want &&
	test_cmp want new
'

test_case 'a peer include (reward/ -> condor/) fails' '
	copy_tree &&
	n=$(add_include pipeline/reward/filter_run.c condor/condor_record.h) &&
	new_violations &&
	echo "pipeline/reward/filter_run.c:$n: includes \"condor/condor_record.h\" (layer 8) from layer 8: peers must not include each other" >want &&
	test_cmp want new
'

test_case 'the library including sim/ fails' '
	copy_tree &&
	n=$(add_include pipeline/text/mustache.c sim/sim_text.h) &&
	new_violations &&
	echo "pipeline/text/mustache.c:$n: includes \"sim/sim_text.h\" (sim/) from layer 3: nothing in pipeline/ but sim/ includes sim/" >want &&
	test_cmp want new
'

test_case 'sim/ including more than core/ fails; stages/sim.c alone may include sim/' '
	copy_tree &&
	n=$(add_include pipeline/sim/sim_text.c json/json_write.h) &&
	m=$(add_include stages/cat.c sim/sim_text.h) &&
	add_include stages/sim.c sim/sim_rng.h >/dev/null &&
	add_include pipeline/sim/sim_text.h core/sbuf.h >/dev/null &&
	new_violations &&
	{
		echo "pipeline/sim/sim_text.c:$n: includes \"json/json_write.h\" (layer 1) from sim/: sim/ may include only core/ and sim/" &&
		echo "stages/cat.c:$m: includes \"sim/sim_text.h\" (sim/) from stages/: only stages/sim.c may include the simulator"
	} | sort >want &&
	test_cmp want new
'

test_case 'a source directly in pipeline/ or in an unnamed folder fails' '
	copy_tree &&
	printf "int stray;\n" >tree/pipeline/stray.c &&
	mkdir tree/pipeline/misc &&
	printf "#include \"core/sbuf.h\"\n" >tree/pipeline/misc/misc.h &&
	new_violations &&
	{
		echo "pipeline/stray.c: sits directly in pipeline/; put it in the folder of its layer" &&
		echo "pipeline/misc/misc.h: is in a folder the layer order does not name (see scripts/check-layers)"
	} | sort >want &&
	test_cmp want new
'

test_case 'an include of a header that does not exist fails' '
	copy_tree &&
	n=$(add_include stages/cat.c core/no_such.h) &&
	m=$(add_include pipeline/io/record_reader.c record_writer.h) &&
	new_violations &&
	{
		echo "stages/cat.c:$n: includes \"core/no_such.h\", which is no file under pipeline/" &&
		echo "pipeline/io/record_reader.c:$m: includes \"record_writer.h\", which is no file under pipeline/"
	} | sort >want &&
	test_cmp want new
'

test_case 'a root that is no smelt tree exits 2' '
	mkdir empty &&
	test_status 2 sh "$check" empty 2>err &&
	grep -q "has no pipeline/ and stages/" err
'

test_done
