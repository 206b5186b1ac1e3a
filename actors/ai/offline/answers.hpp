#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

/// The offline engine's answers for flows, campaigns, chat and step
/// content: templates chosen by the kind of audience a segment describes,
/// filled with its description. Deterministic; no I/O. Shapes follow
/// eca2-api-contract.md section 3.6.
namespace cdpd::actors::ai::offline {

/// What a segment is about, for choosing templates.
enum class audience {
  never_ordered, ///< no orders yet: welcome
  first_order,   ///< one order (or few): second purchase
  lapsed,        ///< no order for a while: win back
  high_value,    ///< spends a lot or orders often: VIP
  recent,        ///< ordered lately: keep the momentum
  general,
};

/// The audience of a definition, else of the words of its description.
audience audience_of(const nlohmann::json& definition,
                     std::string_view description);

/// {entry_condition_type, name, entry_condition, steps[{step_type,
/// step_order, config}]}: 3 to 5 steps, WAITs of 3 to 7 days, ending with
/// EXIT.
nlohmann::json flow_for(std::string_view description,
                        const nlohmann::json& definition);

/// {name, description, start_time_of_day "HH:MM", time_recommendation_reason,
/// marketing_strategy, recommendations[]}; `flow_name` is the campaign's
/// flow when it has one.
nlohmann::json campaign_for(std::string_view description,
                            const nlohmann::json& definition,
                            const std::optional<std::string>& flow_name);

/// {segment_description, campaign{subject, send_time, send_date,
/// content_ideas[3]}, explanation, segment}: the question read as a
/// segment where it names one.
nlohmann::json chat_answer(std::string_view prompt, std::string_view context);

/// {subject, body_text, tone} for step `step_number` of type `step_type`
/// (SEND_EMAIL, SEND_PUSH) of a flow for the described segment.
nlohmann::json step_content(std::string_view description,
                            std::string_view step_type, int step_number);

} // namespace cdpd::actors::ai::offline
