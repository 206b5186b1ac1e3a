#pragma once

#include <string>
#include <string_view>

#include "actors/ai/provider_call.hpp"

/// One attempt at an OpenAI-compatible `POST {base}/chat/completions`
/// through libcurl: the attempt_fn the provider connector is given.
namespace cdpd::net::ai {

using actors::ai::attempt_result;
using actors::ai::chat_request;
using actors::ai::millis;
using actors::ai::provider_endpoint;

/// The request body: {model, messages: [system, user], max_tokens,
/// temperature, response_format: {type: json_object}}.
std::string request_body(const provider_endpoint& endpoint,
                         const chat_request& request);

/// A Retry-After value in seconds as a pause; -1 ms when it is not a
/// number of seconds (HTTP dates are not worth a clock here).
millis parse_retry_after(std::string_view value);

/// Sends the request and reads `choices[0].message.content`, `model` and
/// `usage` from the answer; the whole transfer is bounded by `timeout`.
/// Never throws; the detail of a failure never holds the key.
attempt_result chat_completion(const provider_endpoint& endpoint,
                               const chat_request& request, millis timeout);

} // namespace cdpd::net::ai
