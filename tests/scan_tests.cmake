# tuban scan: bad inputs each give their own exit code and a one-line message naming
# the file; good inputs give valid outputs.
set(FX ${CMAKE_SOURCE_DIR}/testdata/fixtures)
set(EXPECT_FAILURE sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh)
set(SCAN_OUT ${CMAKE_CURRENT_BINARY_DIR}/scan_out)

function(tuban_expect_failure name code needle)
  add_test(NAME ${name} COMMAND ${EXPECT_FAILURE} ${code} ${needle} -- ${TUBAN_EXE} ${ARGN})
endfunction()

tuban_expect_failure(scan_usage_no_args 2 "BEFORE and AFTER" scan)
tuban_expect_failure(scan_usage_unknown_option 2 "--frobnicate" scan a b --frobnicate 1)
tuban_expect_failure(scan_bad_config_value 3 "bad_value.ini:2" scan ${FX}/two_bands.tif ${FX}/two_bands.tif -c ${FX}/bad_value.ini -o ${SCAN_OUT}/cfg)
tuban_expect_failure(scan_missing_config 3 "no_such.ini" scan ${FX}/two_bands.tif ${FX}/two_bands.tif -c ${FX}/no_such.ini -o ${SCAN_OUT}/cfg)
tuban_expect_failure(scan_bad_option_value 3 "--open-radius" scan ${FX}/two_bands.tif ${FX}/two_bands.tif --open-radius -4 -o ${SCAN_OUT}/cfg)
tuban_expect_failure(scan_missing_input 4 "no_such_before.tif" scan ${FX}/no_such_before.tif ${FX}/two_bands.tif -o ${SCAN_OUT}/missing)
tuban_expect_failure(scan_not_a_raster 5 "not_a_raster.tif" scan ${FX}/not_a_raster.tif ${FX}/two_bands.tif -o ${SCAN_OUT}/format)
tuban_expect_failure(scan_disjoint_footprints 6 "do not overlap" scan ${FX}/two_bands.tif ${FX}/two_bands_shifted.tif -o ${SCAN_OUT}/grid)
tuban_expect_failure(scan_one_without_crs 9 "two_bands_nocrs.tif has no CRS" scan ${FX}/two_bands.tif ${FX}/two_bands_nocrs.tif -o ${SCAN_OUT}/grid)
tuban_expect_failure(scan_bad_target_crs 9 "align.crs" scan ${FX}/two_bands.tif ${FX}/two_bands.tif --set align.crs=EPSG:999999 -o ${SCAN_OUT}/grid)
tuban_expect_failure(scan_bad_assigned_crs 9 "align.after_crs" scan ${FX}/two_bands.tif ${FX}/two_bands_nocrs.tif --set "align.after_crs=+proj=nonsense" -o ${SCAN_OUT}/grid)
tuban_expect_failure(scan_different_band_counts 7 "three_bands.tif" scan ${FX}/two_bands.tif ${FX}/three_bands.tif -o ${SCAN_OUT}/bands)
tuban_expect_failure(scan_band_out_of_range 7 "band 5" scan ${FX}/two_bands.tif ${FX}/two_bands.tif --bands 1,5 -o ${SCAN_OUT}/bands)
tuban_expect_failure(scan_all_nodata 8 "all_nodata.tif" scan ${FX}/all_nodata.tif ${FX}/all_nodata.tif -o ${SCAN_OUT}/nodata)
tuban_expect_failure(scan_no_crs_no_pixel_size 9 "pixel size" scan ${FX}/two_bands_nocrs.tif ${FX}/two_bands_nocrs.tif -o ${SCAN_OUT}/nocrs)
tuban_expect_failure(scan_unwritable_output 10 "not_a_raster.tif/out" scan ${FX}/two_bands.tif ${FX}/two_bands.tif -o ${FX}/not_a_raster.tif/out)

# Good inputs: outputs exist and are valid; a failing scan leaves them intact.
add_test(NAME scan_outputs_valid
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_outputs_valid.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA} ${SCAN_OUT}/valid)
add_test(NAME scan_no_change_pair
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_no_change.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA} ${FX} ${SCAN_OUT}/nochange)
add_test(NAME scan_oscd_same_grid_cities
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_oscd.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA} ${SCAN_OUT}/oscd)
add_test(NAME scan_coreg_errors
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_coreg_errors.sh ${TUBAN_EXE} ${FX} ${CMAKE_SOURCE_DIR}/testdata/sample ${SCAN_OUT}/coreg)
add_test(NAME scan_hysteresis
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_hysteresis.sh ${TUBAN_EXE} ${CMAKE_SOURCE_DIR}/testdata/sample ${SCAN_OUT}/hysteresis)
add_test(NAME scan_band_roles
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_band_roles.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA}
          ${CMAKE_SOURCE_DIR}/testdata/sample ${SCAN_OUT}/roles)
if(EXISTS ${TUBAN_SHARED_DATA}/levir-cd-samples)
  add_test(NAME scan_vhr_levir
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_vhr.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA} ${SCAN_OUT}/vhr)
endif()
tuban_expect_failure(scan_vhr_bad_method 3 "detect.method" scan ${FX}/two_bands.tif ${FX}/two_bands.tif --set detect.method=rgb -o ${SCAN_OUT}/cfg)
tuban_expect_failure(scan_vhr_bad_length 3 "vhr.sigma_m" scan ${FX}/two_bands.tif ${FX}/two_bands.tif --set vhr.sigma_m=-1 -o ${SCAN_OUT}/cfg)
