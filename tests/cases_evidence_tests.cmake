# tuban cases: evidence chips (before/after PNGs per case) written by merges.
add_test(NAME cases_evidence
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cases_evidence.sh ${TUBAN_EXE}
          ${CMAKE_CURRENT_BINARY_DIR}/cases_out/evidence)
