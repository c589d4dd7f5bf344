# tuban scan on generated pairs with known truth.
set(SYNTH_SCAN_OUT ${CMAKE_CURRENT_BINARY_DIR}/synth_scan_out)
add_test(NAME scan_synth_accuracy
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/synth_scan.sh ${TUBAN_EXE} ${SYNTH_SCAN_OUT}/accuracy)
add_test(NAME scan_synth_no_change
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/synth_no_change.sh ${TUBAN_EXE} ${SYNTH_SCAN_OUT}/nochange)
add_test(NAME scan_invariance
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_invariance.sh ${TUBAN_EXE} ${SYNTH_SCAN_OUT}/invariance)
add_test(NAME scan_nodata_and_masks
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_nodata.sh ${TUBAN_EXE} ${SYNTH_SCAN_OUT}/nodata)
add_test(NAME scan_kinds
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_kinds.sh ${TUBAN_EXE} ${SYNTH_SCAN_OUT}/kinds)
add_test(NAME scan_features
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_features.sh ${TUBAN_EXE} ${SYNTH_SCAN_OUT}/features)
