# The libtiff fast path for reading GeoTIFF rows gives what GDAL gives.
add_test(NAME scan_libtiff_same_as_gdal
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scan_libtiff.sh ${TUBAN_EXE}
          ${CMAKE_CURRENT_BINARY_DIR}/libtiff_out)
