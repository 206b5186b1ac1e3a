#include "actors/domain/segment_work.hpp"

#include <chrono>

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

namespace {

namespace seg = storage::segments;

/// `kind "a", "b"` or `kinds "a", "b"`; empty when there are no names.
std::string name_list(const char* kind, const std::vector<std::string>& names) {
  if (names.empty())
    return {};
  std::string out = kind;
  if (names.size() > 1)
    out += 's';
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += i == 0 ? " \"" : ", \"";
    out += names[i];
    out += '"';
  }
  return out;
}

/// The stored definition of a segment that exists, parsed.
caf::expected<seg::segment_definition> load_definition(pqxx::connection& c,
                                                       const std::string& id) {
  auto found = storage::get_segment(c, id);
  if (!found)
    return std::move(found.error());
  if (!found->value)
    return refusal_error(found->why);
  auto text = nlohmann::json::parse(found->value->definition, nullptr, false);
  auto parsed = seg::parse_definition(text);
  if (!parsed.ok()) {
    // Only rows written around the API (which validates) can get here.
    std::string what = "Segment definition is invalid";
    if (!parsed.errors.empty())
      what += ": " + seg::to_string(parsed.errors.front());
    return make_error(errc::rejected, std::move(what));
  }
  return std::move(*parsed.definition);
}

} // namespace

std::string in_use_message(const storage::segment_dependents& users) {
  auto campaigns = name_list("campaign", users.campaigns);
  auto flows = name_list("flow", users.flows);
  std::string both = campaigns;
  if (!campaigns.empty() && !flows.empty())
    both += " and ";
  both += flows;
  return "Segment is used by " + both + "; delete or move them first";
}

db_job<storage::page<storage::segment_record>>
list_segments(storage::page_request request) {
  return pg_work(
      [request](pqxx::connection& c) {
        return reply(storage::list_segments(c, request));
      },
      true);
}

db_job<storage::segment_record> get_segment(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_segment(c, id)); },
      true);
}

db_job<storage::segment_record> create_segment(storage::segment_fields fields) {
  return pg_work(
      [fields](pqxx::connection& c) {
        return reply(storage::create_segment(c, fields));
      },
      false);
}

db_job<storage::segment_record> update_segment(std::string id,
                                               storage::segment_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_segment(c, id, fields));
      },
      false);
}

db_job<bool> delete_segment(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) -> caf::expected<caf::message> {
        auto result = storage::delete_segment(c, id);
        if (!result)
          return std::move(result.error());
        if (!result->value)
          return refusal_error(result->why);
        if (!result->value->empty())
          return make_error(errc::conflict, in_use_message(*result->value));
        return caf::make_message(true);
      },
      false);
}

db_job<std::int64_t> count_segment(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) -> caf::expected<caf::message> {
        auto def = load_definition(c, id);
        if (!def)
          return std::move(def.error());
        return reply(
            seg::count_members(c, *def, std::chrono::system_clock::now()));
      },
      true);
}

db_job<segment_members> segment_members_of(std::string id, std::int64_t limit) {
  return pg_work(
      [id, limit](pqxx::connection& c) -> caf::expected<caf::message> {
        auto def = load_definition(c, id);
        if (!def)
          return std::move(def.error());
        // One instant for both queries, so the total and the rows agree.
        auto now = std::chrono::system_clock::now();
        auto total = seg::count_members(c, *def, now);
        if (!total)
          return std::move(total.error());
        auto rows = seg::members(c, *def, now, seg::page{limit, 0});
        if (!rows)
          return std::move(rows.error());
        segment_members out;
        out.segment_id = id;
        out.total = *total;
        out.rows = std::move(*rows);
        out.extra = seg::first_extra_column(*def);
        return caf::make_message(std::move(out));
      },
      true);
}

db_job<segment_members> segment_members_by_id(std::string id,
                                              std::int64_t total,
                                              std::vector<std::string> ids) {
  return pg_work(
      [id, total, ids](pqxx::connection& c) -> caf::expected<caf::message> {
        // The definition gives the extra column and the 404 of a segment
        // deleted while its actor still answers.
        auto def = load_definition(c, id);
        if (!def)
          return std::move(def.error());
        auto rows = seg::members_by_id(c, ids);
        if (!rows)
          return std::move(rows.error());
        segment_members out;
        out.segment_id = id;
        out.total = total;
        out.rows = std::move(*rows);
        out.extra = seg::first_extra_column(*def);
        return caf::make_message(std::move(out));
      },
      true);
}

} // namespace cdpd::actors::domain
