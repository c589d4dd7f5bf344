# Alignment end to end: dates on different grids, CRSs or georeferencing (RPC), and
# misregistered dates, through tuban scan. The unit tests of the CRS handling and the
# grid planner are io/tests/test_align.c (ctest io_align).
set(ALIGN_OUT ${CMAKE_CURRENT_BINARY_DIR}/align_out)
set(ALIGN_SH sh ${CMAKE_CURRENT_SOURCE_DIR})

add_test(NAME align_known_shift
  COMMAND ${ALIGN_SH}/align_known_shift.sh ${TUBAN_EXE} ${ALIGN_OUT}/known_shift)
add_test(NAME align_misregistered_accuracy
  COMMAND ${ALIGN_SH}/align_misregistered_accuracy.sh ${TUBAN_EXE} ${ALIGN_OUT}/misregistered)
add_test(NAME align_hongkong
  COMMAND ${ALIGN_SH}/align_hongkong.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA} ${ALIGN_OUT}/hongkong)
add_test(NAME align_partial_overlap
  COMMAND ${ALIGN_SH}/align_partial_overlap.sh ${TUBAN_EXE} ${ALIGN_OUT}/partial_overlap)
add_test(NAME align_reproject
  COMMAND ${ALIGN_SH}/align_reproject.sh ${TUBAN_EXE} ${TUBAN_SHARED_DATA} ${ALIGN_OUT}/reproject)
add_test(NAME align_rpc
  COMMAND ${ALIGN_SH}/align_rpc.sh ${TUBAN_EXE} ${ALIGN_OUT}/rpc)
