# synth_cli_check.cmake: end-to-end check of `tuban synth` through the executable and
# GDAL's command-line tools.
#   cmake -DTUBAN=path -DOUT=dir -DGDALINFO=path -DOGRINFO=path -P synth_cli_check.cmake
# Generates a 512^2 pair and checks the summary line, the files (no temporary left),
# the feature count of truth.geojson against the summary, the raster metadata; then
# the same seed with one thread (identical files), another seed (different pixels),
# and a striped, uncompressed, non-square scene with a given structure count.

function(run_synth dir outvar)
  file(REMOVE_RECURSE ${dir})
  execute_process(COMMAND ${TUBAN} synth ${dir} ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tuban synth ${dir} ${ARGN}: exit ${rc}: ${err}")
  endif()
  if(NOT out MATCHES "^synth: [0-9]+ new structures, [0-9]+ existing buildings, [0-9]+ cars [^\n]*\n$")
    message(FATAL_ERROR "unexpected summary: '${out}'")
  endif()
  set(${outvar} "${out}" PARENT_SCOPE)
endfunction()

function(expect text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: no match for '${regex}' in:\n${text}")
  endif()
endfunction()

set(names before.tif after.tif truth_mask.tif truth.geojson)

# 1. The pair and its summary.
run_synth(${OUT}/a summary --size 512 --seed 5)
string(REGEX REPLACE "^synth: ([0-9]+) new structures.*" "\\1" count "${summary}")
if(count LESS 40 OR count GREATER 60)
  message(FATAL_ERROR "512^2 at 0.8 m should hold ~56 structures, got ${count}")
endif()
file(GLOB listing RELATIVE ${OUT}/a ${OUT}/a/*)
list(SORT listing)
if(NOT listing STREQUAL "after.tif;before.tif;truth.geojson;truth_mask.tif")
  message(FATAL_ERROR "unexpected files in ${OUT}/a: ${listing}")
endif()

# 2. truth.geojson holds one feature per reported structure.
if(OGRINFO)
  execute_process(COMMAND ${OGRINFO} -so -al ${OUT}/a/truth.geojson OUTPUT_VARIABLE info RESULT_VARIABLE rc)
  expect("${info}" "Feature Count: ${count}\n" "truth.geojson")
  expect("${info}" "Geometry: Polygon" "truth.geojson")
  expect("${info}" "EPSG\",4548\\]\\]" "truth.geojson CRS")
  expect("${info}" "shape: String" "truth.geojson fields")
  expect("${info}" "roof: String" "truth.geojson fields")
  expect("${info}" "area_m2: Real" "truth.geojson fields")
endif()

# 3. Raster metadata.
if(GDALINFO)
  execute_process(COMMAND ${GDALINFO} -mdd IMAGERY ${OUT}/a/after.tif OUTPUT_VARIABLE info)
  expect("${info}" "Size is 512, 512" "after.tif")
  expect("${info}" "ID\\[\"EPSG\",4548\\]\\]" "after.tif CRS")
  expect("${info}" "Pixel Size = \\(0\\.8000+,-0\\.8000+\\)" "after.tif grid")
  expect("${info}" "ACQUISITIONDATETIME=2026-06-14T" "after.tif date")
  expect("${info}" "TIFFTAG_DATETIME=2026:06:14" "after.tif date")
  expect("${info}" "COMPRESSION=DEFLATE" "after.tif")
  expect("${info}" "PREDICTOR=2" "after.tif")
  expect("${info}" "Band 4 Block=256x256 Type=UInt16" "after.tif")
  expect("${info}" "Description = NIR" "after.tif")
  execute_process(COMMAND ${GDALINFO} ${OUT}/a/truth_mask.tif OUTPUT_VARIABLE info)
  expect("${info}" "Band 1 Block=256x256 Type=Byte" "truth_mask.tif")
endif()

# 4. Same seed, one thread: the same bytes.
set(ENV{OMP_NUM_THREADS} 1)
run_synth(${OUT}/b summary_b --size 512 --seed 5)
unset(ENV{OMP_NUM_THREADS})
string(REGEX REPLACE " -> .*" "" head_a "${summary}")
string(REGEX REPLACE " -> .*" "" head_b "${summary_b}")
if(NOT head_a STREQUAL head_b)
  message(FATAL_ERROR "same seed, different summary:\n${summary}${summary_b}")
endif()
foreach(name ${names})
  file(SHA256 ${OUT}/a/${name} ha)
  file(SHA256 ${OUT}/b/${name} hb)
  if(NOT ha STREQUAL hb)
    message(FATAL_ERROR "${name} differs between two runs with seed 5")
  endif()
endforeach()

# 5. Another seed: other pixels.
run_synth(${OUT}/c summary_c --size 512 --seed 6)
file(SHA256 ${OUT}/a/before.tif ha)
file(SHA256 ${OUT}/c/before.tif hc)
if(ha STREQUAL hc)
  message(FATAL_ERROR "seeds 5 and 6 gave the same before.tif")
endif()

# 6. Striped, uncompressed, non-square, given count.
run_synth(${OUT}/d summary_d --width 300 --height 200 --striped --compress NONE --structures 5 --seed 9)
expect("${summary_d}" "^synth: 5 new structures" "--structures 5")
expect("${summary_d}" "300x200 px" "--width/--height")
if(GDALINFO)
  execute_process(COMMAND ${GDALINFO} ${OUT}/d/before.tif OUTPUT_VARIABLE info)
  expect("${info}" "Size is 300, 200" "striped before.tif")
  expect("${info}" "Band 1 Block=300x[0-9]+ Type=UInt16" "striped before.tif")
  if(info MATCHES "COMPRESSION=")
    message(FATAL_ERROR "--compress NONE wrote a compressed file:\n${info}")
  endif()
endif()
message(STATUS "ok: ${summary}")
