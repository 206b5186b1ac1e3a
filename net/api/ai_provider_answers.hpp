#pragma once

#include <optional>
#include <string>

#include <caf/fwd.hpp>
#include <nlohmann/json.hpp>

/// What the AI routes make of a provider: the user message each route
/// sends, the model's JSON object turned into the route's answer (every
/// segment definition through the segment check), and a failed call as
/// the `error` object of the contract (eca2-api-contract.md 7.4).
namespace cdpd::net::api::ai_answers {

/// The model's object as the answer of `route` ("segments/build", ...);
/// none when it lacks what the route must return (then the offline engine
/// answers).
std::optional<nlohmann::json> shape(const std::string& route,
                                    const nlohmann::json& object);

/// The definition checked by the segment language into `answer`
/// (logical_operator, criteria, dropped), with what was dropped said in
/// its explanation.
void put_checked(nlohmann::json& answer, const nlohmann::json& definition);

/// A failed provider call as the answer's `error`: {error, message,
/// details, retry_after?} as the prototype names them (quota_exceeded,
/// authentication_error, provider_unavailable when the breaker is open or
/// the provider is down, api_error), with problem+json's type, title and
/// status beside them. `retry_after` is the seconds to wait, 0 when none.
nlohmann::json error_info(const caf::error& err, int& retry_after);

/// The same for a reply that held no usable JSON object.
nlohmann::json unusable_reply_info(const std::string& why);

} // namespace cdpd::net::api::ai_answers
