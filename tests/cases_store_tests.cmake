# tuban scan feeding the case store through the [cases] settings.
add_test(NAME cases_scan_store
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cases_scan_store.sh ${TUBAN_EXE}
          ${CMAKE_SOURCE_DIR}/testdata/sample ${CMAKE_CURRENT_BINARY_DIR}/cases_store_out)
