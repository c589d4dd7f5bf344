# tuban info: what tuban sees of its inputs, and the grid a scan would use or the
# exact error it would stop with (same message, same exit code).
set(INFO_FX ${CMAKE_SOURCE_DIR}/testdata/fixtures)
set(INFO_SAMPLE ${CMAKE_SOURCE_DIR}/testdata/sample)
set(INFO_HONGKONG ${TUBAN_SHARED_DATA}/oscd-sentinel2/hongkong)
set(INFO_OUT ${CMAKE_CURRENT_BINARY_DIR}/info_out)

function(tuban_info_expect_failure name code needle)
  add_test(NAME ${name} COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh ${code} ${needle}
           -- ${TUBAN_EXE} info ${ARGN})
endfunction()

# Bad command lines and inputs that cannot be opened: one line on stderr, nothing else.
tuban_info_expect_failure(info_usage_no_args 2 "info needs")
tuban_info_expect_failure(info_usage_unknown_option 2 "--frobnicate" ${INFO_FX}/two_bands.tif --frobnicate 1)
tuban_info_expect_failure(info_bad_config_value 3 "bad_value.ini:2" ${INFO_FX}/two_bands.tif -c ${INFO_FX}/bad_value.ini)
tuban_info_expect_failure(info_missing_input 4 "no_such.tif" ${INFO_FX}/no_such.tif)
tuban_info_expect_failure(info_missing_after 4 "no_such_after.tif" ${INFO_FX}/two_bands.tif ${INFO_FX}/no_such_after.tif)
tuban_info_expect_failure(info_not_a_raster 5 "not_a_raster.tif" ${INFO_FX}/not_a_raster.tif)
# Pairs a scan refuses: the report on stdout, the scan's message and exit code.
tuban_info_expect_failure(info_disjoint_footprints 6 "do not overlap" ${INFO_FX}/two_bands.tif ${INFO_FX}/two_bands_shifted.tif)
tuban_info_expect_failure(info_different_band_counts 7 "three_bands.tif" ${INFO_FX}/two_bands.tif ${INFO_FX}/three_bands.tif)
tuban_info_expect_failure(info_one_without_crs 9 "two_bands_nocrs.tif has no CRS" ${INFO_FX}/two_bands.tif ${INFO_FX}/two_bands_nocrs.tif)
tuban_info_expect_failure(info_no_crs_no_pixel_size 9 "pixel size" ${INFO_FX}/two_bands_nocrs.tif ${INFO_FX}/two_bands_nocrs.tif)

add_test(NAME info_sample
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/info_sample.sh ${TUBAN_EXE} ${INFO_SAMPLE})
add_test(NAME info_oscd_hongkong
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/info_oscd.sh ${TUBAN_EXE} ${INFO_HONGKONG})
add_test(NAME info_json_keys
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/info_json.sh ${TUBAN_EXE} ${INFO_FX} ${INFO_SAMPLE} ${INFO_HONGKONG})
add_test(NAME info_matches_scan
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/info_matches_scan.sh ${TUBAN_EXE} ${INFO_FX} ${INFO_SAMPLE} ${INFO_OUT}/scan)
add_test(NAME info_masks_and_rpc
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/info_masks.sh ${TUBAN_EXE} ${INFO_FX} ${INFO_OUT}/masks)
