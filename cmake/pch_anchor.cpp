// The one source of the targets that hold a precompiled header
// (cmake/cdpd_pch.cmake): a library needs a source to compile the PCH with.
