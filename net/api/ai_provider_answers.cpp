#include "net/api/ai_provider_answers.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include "actors/ai/ai_errc.hpp"
#include "actors/ai/segment_check.hpp"
#include "actors/supervision/errc.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api::ai_answers {

namespace {

using nlohmann::json;
namespace ai = actors::ai;

std::string text_or(const json& obj, const char* key, std::string fallback) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_string() && !it->get<std::string>().empty())
    return it->get<std::string>();
  return fallback;
}

constexpr std::array<std::string_view, 5> entry_types{
    "signup", "first_purchase", "order_completed", "cart_abandoned",
    "subscription_renewal"};
constexpr std::array<std::string_view, 4> step_types{"SEND_EMAIL", "WAIT",
                                                     "SEND_PUSH", "EXIT"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names,
            const std::string& s) {
  for (auto n : names)
    if (n == s)
      return true;
  return false;
}

std::optional<json> shape_segment(const json& object) {
  json answer = {{"explanation", text_or(object, "explanation", "")}};
  put_checked(answer, object);
  return answer;
}

std::optional<json> shape_flow(const json& object) {
  auto steps = object.find("steps");
  if (steps == object.end() || !steps->is_array())
    return std::nullopt;
  json kept = json::array();
  for (const auto& step : *steps) {
    if (!step.is_object())
      continue;
    auto type = text_or(step, "step_type", "");
    if (!one_of(step_types, type))
      continue;
    auto config = step.find("config");
    kept.push_back({{"step_type", type},
                    {"step_order", static_cast<int>(kept.size()) + 1},
                    {"config", config != step.end() && config->is_object()
                                   ? *config
                                   : json::object()}});
  }
  if (kept.empty())
    return std::nullopt;
  auto entry = text_or(object, "entry_condition_type", "order_completed");
  if (!one_of(entry_types, entry))
    entry = "order_completed";
  return json{{"entry_condition_type", entry},
              {"name", text_or(object, "name", "Generated flow")},
              {"entry_condition", text_or(object, "entry_condition", "")},
              {"steps", std::move(kept)}};
}

/// "7:30", "19:00", "07:30:00" as "HH:MM"; none for anything else.
std::optional<std::string> time_of_day(const std::string& text) {
  int h = -1, m = -1;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d:%d%c", &h, &m, &tail) < 2 || h < 0 ||
      h > 23 || m < 0 || m > 59 || (tail != 0 && tail != ':'))
    return std::nullopt;
  char out[6];
  std::snprintf(out, sizeof(out), "%02d:%02d", h, m);
  return std::string{out};
}

std::optional<json> shape_campaign(const json& object) {
  json answer = {
      {"name", text_or(object, "name", "Generated campaign")},
      {"description", text_or(object, "description", "")},
      {"marketing_strategy", text_or(object, "marketing_strategy", "")}};
  auto time = time_of_day(text_or(object, "start_time_of_day", ""));
  answer["start_time_of_day"] = time.value_or("10:00");
  answer["time_recommendation_reason"] =
      time ? text_or(object, "time_recommendation_reason", "")
           : std::string{"Default time (the model gave none)"};
  json recommendations = json::array();
  if (auto it = object.find("recommendations");
      it != object.end() && it->is_array())
    for (const auto& r : *it)
      if (r.is_string())
        recommendations.push_back(r);
  answer["recommendations"] = std::move(recommendations);
  return answer;
}

std::optional<json> shape_chat(const json& object) {
  auto campaign = object.find("campaign");
  if (campaign == object.end() || !campaign->is_object())
    return std::nullopt;
  json ideas = json::array();
  if (auto it = campaign->find("content_ideas");
      it != campaign->end() && it->is_array())
    for (const auto& idea : *it)
      if (idea.is_string())
        ideas.push_back(idea);
  json answer = {
      {"segment_description", text_or(object, "segment_description", "")},
      {"campaign",
       {{"subject", text_or(*campaign, "subject", "")},
        {"send_time", text_or(*campaign, "send_time", "")},
        {"send_date", text_or(*campaign, "send_date", "")},
        {"content_ideas", std::move(ideas)}}},
      {"explanation", text_or(object, "explanation", "")}};
  auto segment = object.find("segment");
  json checked = {{"explanation", ""}};
  put_checked(checked, segment != object.end() && segment->is_object()
                           ? *segment
                           : json::object());
  checked.erase("explanation");
  answer["segment"] = std::move(checked);
  return answer;
}

std::optional<json> shape_content(const json& object) {
  auto subject = text_or(object, "subject", "");
  auto body = text_or(object, "body_text", "");
  if (subject.empty() || body.empty())
    return std::nullopt;
  return json{{"subject", subject},
              {"body_text", body},
              {"tone", text_or(object, "tone", "friendly")}};
}

json info(const char* name, int status, std::string message,
          std::string details, int retry_after) {
  json out = {{"error", name},
              {"message", std::move(message)},
              {"details", std::move(details)},
              {"help_url", nullptr},
              {"type", std::string{problem_type_prefix} + name},
              {"title", name},
              {"status", status}};
  if (retry_after > 0)
    out["retry_after"] = retry_after;
  return out;
}

std::string detail_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string, int64_t>() ||
      ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

int64_t millis_of(const caf::error& err) {
  const auto& ctx = err.context();
  return ctx.match_elements<std::string, int64_t>() ? ctx.get_as<int64_t>(1)
                                                    : -1;
}

int seconds_up(int64_t ms) {
  return ms <= 0 ? 0 : static_cast<int>((ms + 999) / 1000);
}

} // namespace

void put_checked(json& answer, const json& definition) {
  auto checked = ai::check_segment(definition);
  answer["logical_operator"] = checked.definition["logical_operator"];
  answer["criteria"] = checked.definition["criteria"];
  answer["dropped"] = ai::dropped_json(checked.dropped);
  if (!checked.dropped.empty())
    answer["explanation"] =
        answer.value("explanation", "") + " Left out " +
        std::to_string(checked.dropped.size()) +
        " criterion(s) the segment language does not accept.";
}

std::optional<json> shape(const std::string& route, const json& object) {
  if (route == "segments/build")
    return shape_segment(object);
  if (route == "flows/generate-from-segment")
    return shape_flow(object);
  if (route == "campaigns/generate")
    return shape_campaign(object);
  if (route == "chat")
    return shape_chat(object);
  if (route == "flows/generate-content")
    return shape_content(object);
  return std::nullopt;
}

json error_info(const caf::error& err, int& retry_after) {
  retry_after = 0;
  if (err.category() == caf::atom("ai")) {
    switch (static_cast<ai::errc>(err.code())) {
    case ai::errc::quota_exceeded:
      // The prototype's default when the provider names no pause.
      retry_after = millis_of(err) >= 0 ? seconds_up(millis_of(err)) : 60;
      return info("quota_exceeded", 429,
                  "API rate limit or quota exceeded. Please wait before "
                  "trying again.",
                  detail_of(err), retry_after);
    case ai::errc::authentication_error:
      return info("authentication_error", 401,
                  "Invalid API key or authentication failed.", detail_of(err),
                  0);
    case ai::errc::provider_unavailable:
      return info("provider_unavailable", 503,
                  "The AI provider is unavailable; the offline engine "
                  "answered.",
                  detail_of(err), 0);
    case ai::errc::provider_error:
      break;
    }
    return info("api_error", 502, "An error occurred while calling the AI API.",
                detail_of(err), 0);
  }
  if (err.category() == caf::atom("actors") &&
      err.code() == static_cast<uint8_t>(actors::errc::circuit_open)) {
    retry_after = std::max(seconds_up(millis_of(err)), 1);
    return info("provider_unavailable", 503,
                "The AI provider is unavailable (its circuit breaker is "
                "open); the offline engine answered.",
                detail_of(err), retry_after);
  }
  return info("provider_unavailable", 503,
              "The AI provider is unavailable; the offline engine answered.",
              detail_of(err), 0);
}

json unusable_reply_info(const std::string& why) {
  return info("api_error", 502, "An error occurred while calling the AI API.",
              why, 0);
}

} // namespace cdpd::net::api::ai_answers
