// NDJSON import lines, customers and orders, as a streamed import reads
// them one by one.
#include <string_view>

#include "net/api/import_lines.hpp"
#include "tests/fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view line{reinterpret_cast<const char*>(data), size};
  (void)cdpd::net::api::is_blank_line(line);
  (void)cdpd::net::api::parse_customer_line(line);
  (void)cdpd::net::api::parse_order_line(line);
  return 0;
}
