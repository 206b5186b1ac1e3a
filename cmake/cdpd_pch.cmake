# Precompiled headers. CAF, nlohmann-json and libpqxx take 3 to 6 s of
# parsing in most translation units; each build directory compiles them
# once (cdpd_pch_lib for libraries and programs, cdpd_pch_test with
# GoogleTest for the tests) and the targets reuse that. The PCH targets
# take the compile flags of the code that links cdpd::storage (the
# hiredis and libpq ones among them): GCC uses a PCH only under the flags it
# was made with, and otherwise reads the headers as text, so a target
# whose flags differ gets NO_PCH instead (cdpd_module, cdpd_test).
# With the PCH, GCC 12 reports its false -Warray-bounds and -Wstringop-*
# findings inside libstdc++'s std::string (system headers whose warnings
# are otherwise silenced); CMakeLists.txt turns those three off when the
# PCH is on. Measured per file: 2.1 s against 3.7 s (a repository), 12.4
# against 15.9 (segment routes).
option(CDPD_PCH "Precompile the heavy third-party headers" ON)

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
