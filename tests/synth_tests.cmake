# `tuban synth`: end-to-end tests of the command line (the generator's own unit tests
# are testdata/tests, ctest name synth_unit). The scripts live in testdata/tests.
find_program(TUBAN_GDALINFO gdalinfo)
find_program(TUBAN_OGRINFO ogrinfo)
set(synth_out ${CMAKE_CURRENT_BINARY_DIR}/synth_cli)
set(synth_scripts ${CMAKE_SOURCE_DIR}/testdata/tests)

add_test(NAME synth_cli_pair
  COMMAND ${CMAKE_COMMAND} -DTUBAN=${TUBAN_EXE} -DOUT=${synth_out}
          -DGDALINFO=${TUBAN_GDALINFO} -DOGRINFO=${TUBAN_OGRINFO}
          -P ${synth_scripts}/synth_cli_check.cmake)
set_tests_properties(synth_cli_pair PROPERTIES TIMEOUT 60 LABELS "synth")

add_test(NAME synth_cli_help COMMAND ${TUBAN_EXE} synth --help)
set_tests_properties(synth_cli_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: tuban synth OUTDIR" LABELS "synth")

# synth_cli_fails(NAME CODE REGEX ARG...): `tuban ARG...` exits with CODE and one line
# on stderr matching REGEX.
function(synth_cli_fails name code regex)
  string(REPLACE ";" "|" args "${ARGN}")
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND} -DTUBAN=${TUBAN_EXE} "-DARGS=${args}" -DCODE=${code} "-DEXPECT=${regex}"
            -P ${synth_scripts}/synth_cli_fail.cmake)
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "synth")
endfunction()

synth_cli_fails(synth_cli_no_outdir 2 "^tuban synth: missing OUTDIR" synth)
synth_cli_fails(synth_cli_size_zero 2 "^tuban synth: --size: '0' is not" synth ${synth_out}/zero --size 0)
synth_cli_fails(synth_cli_size_text 2 "^tuban synth: --size: '12x' is not" synth ${synth_out}/zero --size=12x)
synth_cli_fails(synth_cli_no_value 2 "^tuban synth: --seed needs a value" synth ${synth_out}/zero --seed)
synth_cli_fails(synth_cli_bad_option 2 "^tuban synth: unknown option '--sise'" synth ${synth_out}/zero --sise 4)
synth_cli_fails(synth_cli_bad_compress 2 "^tuban synth: --compress: 'LZMA'" synth ${synth_out}/zero --compress LZMA)
synth_cli_fails(synth_cli_two_outdirs 2 "^tuban synth: unexpected argument 'b'" synth a b)
synth_cli_fails(synth_cli_unwritable 10 "^tuban synth: /proc/x: cannot create" synth /proc/x --size 64)
