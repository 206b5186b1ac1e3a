// The assistant's readers of text nobody vetted: a user's sentence read into
// a segment (then checked by the segment language, as every AI answer is),
// the chat answer, and a provider's reply read for its JSON object. None may
// crash, and a definition they return must parse.
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actors/ai/offline/answers.hpp"
#include "actors/ai/offline/segment_reader.hpp"
#include "actors/ai/provider_reply.hpp"
#include "actors/ai/segment_check.hpp"
#include "storage/segments/definition.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace ai = cdpd::actors::ai;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto reading = ai::offline::read_segment(text);
  auto checked = ai::check_segment(reading.definition);
  (void)ai::dropped_json(checked.dropped);
  // What the engine read must be what the segment language accepts.
  if (!reading.definition["criteria"].empty() && !checked.dropped.empty())
    std::abort();
  (void)ai::offline::describe_definition(checked.definition);
  // The other answers fill templates with what was read; chat reads the
  // text again, with itself as context.
  (void)ai::offline::chat_answer(text, text);
  if (auto object = ai::extract_json_object(text)) {
    auto from_provider = ai::check_segment(*object);
    auto parsed =
        cdpd::storage::segments::parse_definition(from_provider.definition);
    if (!from_provider.definition["criteria"].empty() && !parsed.ok())
      std::abort();
  }
  return 0;
}
