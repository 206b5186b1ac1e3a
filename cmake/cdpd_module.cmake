# cdpd_module(NAME [NO_PCH] SOURCES ... DEPENDS ...): one static library per
# code folder, includes relative to the repository root, warnings from
# cdpd_internal. NO_PCH for a module whose compile flags differ from
# cdpd_pch_lib's (cmake/cdpd_pch.cmake).
function(cdpd_module name)
  cmake_parse_arguments(ARG "NO_PCH" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(cdpd_${name} STATIC ${ARG_SOURCES})
  add_library(cdpd::${name} ALIAS cdpd_${name})
  target_include_directories(cdpd_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(cdpd_${name} PUBLIC ${ARG_DEPENDS} PRIVATE cdpd_internal)
  if(NOT ARG_NO_PCH)
    cdpd_use_pch(cdpd_${name} cdpd_pch_lib)
  endif()
endfunction()
