// Credentials as a client sends them: access tokens (verified with a fixed
// key), API keys and Cookie headers.
#include <chrono>
#include <string_view>

#include "net/access/authenticator.hpp"
#include "net/auth/api_key.hpp"
#include "net/auth/jwt_codec.hpp"
#include "tests/fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static const cdpd::net::auth::jwt_codec codec{
      "fuzz-key-fuzz-key-fuzz-key-fuzz-key-0123", "cdpd"};
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto now =
      cdpd::net::auth::clock::time_point{std::chrono::seconds{1'780'000'000}};
  (void)codec.verify(text, now);
  (void)cdpd::net::auth::api_key_prefix(text);
  (void)cdpd::net::auth::api_key_matches(text, "not-a-hash");
  (void)cdpd::net::cookie_value(text, "cdpd_session");
  return 0;
}
