# Precompiled headers. CAF, nlohmann-json and libpqxx take 3 to 6 s of
# parsing in most translation units; each build directory compiles them
# once (cdpd_pch_lib for libraries and programs, cdpd_pch_test with
# GoogleTest for the tests) and the targets reuse that. The PCH targets
# take the compile flags of the code that links cdpd::storage (the
# hiredis and libpq ones among them): GCC uses a PCH only under the flags it
# was made with, and otherwise reads the headers as text, so a target
# whose flags differ gets NO_PCH instead (cdpd_module, cdpd_test).
# Off by default: with the PCH, GCC 12 at -O2 reports its false
# -Warray-bounds findings inside libstdc++'s std::string (system headers
# whose warnings are otherwise silenced), which -Werror turns into errors.
# deploy/test-sanitizers.sh (at -O0) turns it on.
option(CDPD_PCH "Precompile the heavy third-party headers" OFF)

set(cdpd_pch_headers <caf/all.hpp> <nlohmann/json.hpp> <pqxx/pqxx>)

# cdpd_pch_target(NAME HEADERS ... DEPENDS ...): a target holding a PCH.
function(cdpd_pch_target name)
  cmake_parse_arguments(ARG "" "" "HEADERS;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} cdpd_internal)
  target_precompile_headers(${name} PRIVATE ${ARG_HEADERS})
endfunction()

# cdpd_use_pch(TARGET FROM): `TARGET` reuses the PCH of `FROM`.
function(cdpd_use_pch target from)
  if(CDPD_PCH)
    target_precompile_headers(${target} REUSE_FROM ${from})
  endif()
endfunction()
