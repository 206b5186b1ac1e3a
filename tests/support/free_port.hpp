#pragma once

#include <cstdint>

namespace cdpd::test {

/// A TCP port on 127.0.0.1 that was free a moment ago, below 32768 so it
/// never collides with the kernel's ephemeral client ports.
uint16_t free_port();

} // namespace cdpd::test
