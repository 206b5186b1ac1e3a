#include "actors/ai/ai_errc.hpp"

#include "actors/supervision/policy.hpp"

namespace cdpd::actors::ai {

const char* to_string(errc code) {
  switch (code) {
  case errc::quota_exceeded:
    return "quota_exceeded";
  case errc::authentication_error:
    return "authentication_error";
  case errc::provider_error:
    return "provider_error";
  case errc::provider_unavailable:
    return "provider_unavailable";
  }
  return "unknown";
}

bool counts_against_breaker(const caf::error& err) {
  if (err.category() != caf::atom("ai"))
    return default_is_failure(err);
  auto code = static_cast<errc>(err.code());
  return code == errc::quota_exceeded || code == errc::provider_unavailable;
}

} // namespace cdpd::actors::ai
