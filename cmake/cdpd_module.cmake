# cdpd_module(NAME SOURCES ... DEPENDS ...): one static library per code folder,
# includes relative to the repository root, warnings from cdpd_internal.
function(cdpd_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(cdpd_${name} STATIC ${ARG_SOURCES})
  add_library(cdpd::${name} ALIAS cdpd_${name})
  target_include_directories(cdpd_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(cdpd_${name} PUBLIC ${ARG_DEPENDS} PRIVATE cdpd_internal)
endfunction()
