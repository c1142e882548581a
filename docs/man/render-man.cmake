cmake_minimum_required(VERSION 3.18)
# Renders a man page at build time: TEMPLATE with @VERSION@ replaced by the version and @HELP@ by
# the program's own --help output (stdout and stderr, as a no-fill block), so the OPTIONS section
# cannot drift from the binary. With GZIP set it also writes OUTPUT.gz (gzip -9n, as Debian wants).
#   cmake -DPROGRAM=bin -DTEMPLATE=x.1.in -DOUTPUT=x.1 -DVERSION=0.2.0 [-DGZIP=/bin/gzip] -P render-man.cmake
foreach(v PROGRAM TEMPLATE OUTPUT VERSION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "render-man.cmake: ${v} is not set")
  endif()
endforeach()

execute_process(COMMAND ${PROGRAM} --help
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(help "${out}${err}")
if(help STREQUAL "")
  message(FATAL_ERROR "render-man.cmake: ${PROGRAM} --help printed nothing (exit ${rc})")
endif()

# troff: a backslash is \e, a minus is \- (so options copy and paste), a line may not start
# with a control character.
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
string(REGEX REPLACE "\n+$" "" help "${help}")

file(READ ${TEMPLATE} page)
string(REPLACE "@VERSION@" "${VERSION}" page "${page}")
string(REPLACE "@HELP@" ".nf\n${help}\n.fi" page "${page}")
file(WRITE ${OUTPUT} "${page}")

if(GZIP)
  execute_process(COMMAND ${GZIP} -9nc ${OUTPUT} OUTPUT_FILE ${OUTPUT}.gz RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "render-man.cmake: gzip failed (${rc})")
  endif()
endif()
