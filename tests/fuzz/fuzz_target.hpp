#pragma once

#include <cstddef>
#include <cstdint>

/// The entry point every fuzz target defines: libFuzzer's, so the same file
/// links with libFuzzer (-DCDPD_FUZZ=ON, clang) or with replay_main.cpp (the
/// regular build, where it runs as a test). It must not throw and must
/// return 0; a crash, an abort or an escaping exception is a finding.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size);
