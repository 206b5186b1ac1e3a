// JSON request bodies: the size and depth limits, segment definitions
// (parsed, compiled to SQL and evaluated in memory over a few customers
// with nulls) and customer objects.
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/segments/engine/customer_columns.hpp"
#include "actors/segments/engine/evaluate.hpp"
#include "net/api/import_lines.hpp"
#include "net/api/validation.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/sql_compiler.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace {

namespace engine = cdpd::actors::segments::engine;

constexpr std::int64_t day_us = 86'400'000'000;
constexpr std::int64_t now_us = 1'780'000'000'000'000; // 2026-05-28

const engine::customer_columns& few_customers() {
  static const auto columns = [] {
    engine::columns_builder b{"C"};
    engine::customer_record empty;
    empty.id = "00000000-0000-4000-8000-000000000001";
    b.add_customer(empty);
    engine::customer_record full;
    full.id = "00000000-0000-4000-8000-000000000002";
    full.email = "Ana@Example.com";
    full.first_name = "Ana";
    full.phone = "";
    full.shipping_state = "CA";
    full.shipping_country = "US";
    full.total_order_value_cents = 123'456;
    full.order_count = 2;
    full.last_order_date = now_us - 3 * day_us;
    full.created_at = now_us - 400 * day_us;
    b.add_customer(full);
    b.add_order({now_us - 3 * day_us,
                 100'000,
                 "completed",
                 "web",
                 {{"Electronics", "p1"}, {"Books", "p2"}}});
    b.add_order({now_us - 40 * day_us, 23'456, "refunded", "", {}});
    return *b.finish();
  }();
  return columns;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string body{reinterpret_cast<const char*>(data), size};
  cdpd::net::api::issues found;
  auto object = cdpd::net::api::parse_object(body, found);
  (void)found.response();
  if (!object)
    return 0;
  auto parsed = cdpd::storage::segments::parse_definition(*object);
  for (const auto& error : parsed.errors)
    (void)cdpd::storage::segments::to_string(error);
  if (parsed.ok()) {
    auto now = std::chrono::system_clock::time_point{
        std::chrono::microseconds{now_us}};
    (void)cdpd::storage::segments::compile_where(*parsed.definition, now);
    (void)engine::evaluate(*parsed.definition, few_customers(), now);
  }
  cdpd::net::api::issues customer_issues;
  (void)cdpd::net::api::read_customer_object(*object, nlohmann::json::array(),
                                             true, customer_issues);
  return 0;
}
