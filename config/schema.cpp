#include "config/schema.hpp"

#include <array>
#include <type_traits>

#include "config/loader.hpp"
#include "config/url_rules.hpp"

namespace cdpd::config {

namespace {

// Conversions between settings fields and loader values. The bounds check
// runs before set_field, so the narrowing casts below cannot truncate.

template <class T> value to_value(const T& field) {
  if constexpr (std::is_same_v<T, millis>)
    return static_cast<std::int64_t>(field.count());
  else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>)
    return field;
  else
    return static_cast<std::int64_t>(field);
}

template <class T> void assign(T& field, const value& v) {
  if constexpr (std::is_same_v<T, millis>)
    field = millis{std::get<std::int64_t>(v)};
  else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>)
    field = std::get<T>(v);
  else
    field = static_cast<T>(std::get<std::int64_t>(v));
}

template <auto Section, auto Member> value get_field(const settings& s) {
  return to_value((s.*Section).*Member);
}

template <auto Section, auto Member>
void set_field(settings& s, const value& v) {
  assign((s.*Section).*Member, v);
}

/// Completes an option with the accessors of settings field Section.Member.
template <auto Section, auto Member> constexpr option bind(option opt) {
  opt.get = &get_field<Section, Member>;
  opt.set = &set_field<Section, Member>;
  return opt;
}

constexpr std::int64_t kib = 1024;
constexpr std::int64_t second = 1000;
constexpr std::int64_t minute = 60 * second;
constexpr std::int64_t hour = 60 * minute;

constexpr std::array<std::string_view, 6> log_levels{"trace", "debug", "info",
                                                     "warn",  "error", "off"};

constexpr std::string_view postgres_rule =
    "empty, a postgresql:// or postgres:// URL, or a key=value conninfo";

using s = settings;
using vk = value_kind;

constexpr option table[] = {
    bind<&s::http, &http_settings::address>(
        {.key = "http.address",
         .unit = "address",
         .rule = &check_not_empty,
         .rule_text = "non-empty",
         .help = "Address the HTTP API listens on."}),
    bind<&s::http, &http_settings::port>(
        {.key = "http.port",
         .kind = vk::integer,
         .unit = "port",
         .min = 0,
         .max = 65535,
         .help = "TCP port of the HTTP API; 0 picks any free port."}),
    bind<&s::http, &http_settings::io_threads>(
        {.key = "http.io-threads",
         .kind = vk::integer,
         .unit = "threads",
         .min = 1,
         .max = 64,
         .help = "Threads running the HTTP server's I/O."}),
    bind<&s::http, &http_settings::max_header_bytes>(
        {.key = "http.max-header-bytes",
         .kind = vk::size,
         .unit = "bytes",
         .min = kib,
         .max = kib * kib,
         .help = "Largest request header block accepted."}),
    bind<&s::http, &http_settings::max_body_bytes>(
        {.key = "http.max-body-bytes",
         .kind = vk::size,
         .unit = "bytes",
         .min = kib,
         .max = kib * kib * kib,
         .help = "Largest request body accepted."}),
    bind<&s::http, &http_settings::read_timeout>(
        {.key = "http.read-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 100,
         .max = 10 * minute,
         .help = "How long a connection may take to send a complete request."}),
    bind<&s::http, &http_settings::max_connections>(
        {.key = "http.max-connections",
         .kind = vk::integer,
         .unit = "connections",
         .min = 1,
         .max = 100'000,
         .help = "Most HTTP connections open at the same time."}),
    bind<&s::http, &http_settings::drain_timeout>(
        {.key = "http.drain-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = 10 * minute,
         .help =
             "On shutdown, how long in-flight requests may take to finish."}),

    bind<&s::postgres, &postgres_settings::url>(
        {.key = "postgres.url",
         .unit = "URL",
         .rule = &check_postgres_url,
         .rule_text = postgres_rule,
         .secret = true,
         .help = "Primary PostgreSQL; empty starts an embedded PostgreSQL."}),
    bind<&s::postgres, &postgres_settings::read_url>(
        {.key = "postgres.read-url",
         .unit = "URL",
         .rule = &check_postgres_url,
         .rule_text = postgres_rule,
         .secret = true,
         .help =
             "Read replica for queries; empty sends reads to the primary."}),
    bind<&s::postgres, &postgres_settings::pool_size>(
        {.key = "postgres.pool-size",
         .kind = vk::integer,
         .unit = "connections",
         .min = 1,
         .max = 256,
         .help = "Connections in the pool to the primary."}),
    bind<&s::postgres, &postgres_settings::read_pool_size>(
        {.key = "postgres.read-pool-size",
         .kind = vk::integer,
         .unit = "connections",
         .min = 1,
         .max = 256,
         .help = "Connections in the pool to the read replica."}),
    bind<&s::postgres, &postgres_settings::acquire_timeout>(
        {.key = "postgres.acquire-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = minute,
         .help = "How long a query waits for a free pool connection."}),
    bind<&s::postgres, &postgres_settings::statement_timeout>(
        {.key = "postgres.statement-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = hour,
         .help =
             "PostgreSQL statement_timeout per connection; 0 turns it off."}),
    bind<&s::postgres, &postgres_settings::connect_timeout>(
        {.key = "postgres.connect-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 5 * minute,
         .help = "How long opening one connection may take."}),
    bind<&s::postgres, &postgres_settings::startup_timeout>(
        {.key = "postgres.startup-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = 10 * minute,
         .help =
             "How long start-up waits for PostgreSQL to accept connections."}),
    bind<&s::postgres, &postgres_settings::embedded_port>(
        {.key = "postgres.embedded-port",
         .kind = vk::integer,
         .unit = "port",
         .min = 0,
         .max = 32767,
         .help = "Port of the embedded PostgreSQL; 0 picks a free one."}),

    bind<&s::redis, &redis_settings::url>(
        {.key = "redis.url",
         .unit = "URL",
         .rule = &check_redis_url,
         .rule_text = "empty, or redis://[[user]:password@]host[:port][/db]",
         .secret = true,
         .help = "Redis server; empty runs without Redis."}),
    bind<&s::redis, &redis_settings::timeout>(
        {.key = "redis.timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = minute,
         .help = "Connect and command timeout for Redis."}),

    bind<&s::state, &state_settings::dir>(
        {.key = "state.dir",
         .unit = "path",
         .help = "Local state folder; empty is /var/lib/cdpd as root, else "
                 "~/.local/state/cdpd."}),

    bind<&s::log, &log_settings::level>(
        {.key = "log.level",
         .kind = vk::choice,
         .unit = "level",
         .choices = log_levels,
         .help = "Lowest severity that is logged."}),

    bind<&s::scheduler, &scheduler_settings::max_threads>(
        {.key = "scheduler.max-threads",
         .kind = vk::integer,
         .unit = "threads",
         .min = 0,
         .max = 256,
         .help = "Actor scheduler threads; 0 is one per CPU core."}),

    bind<&s::middleman, &middleman_settings::heartbeat_interval>(
        {.key = "middleman.heartbeat-interval",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = minute,
         .help = "Heartbeat period between cluster nodes; 0 turns it off."}),
    bind<&s::middleman, &middleman_settings::connection_timeout>(
        {.key = "middleman.connection-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = 10 * minute,
         .help = "A silent node connection is closed after this; 0 never "
                 "closes it. Must exceed middleman.heartbeat-interval."}),
};

/// The value as the error message shows it: secrets masked.
std::string shown(const option& opt, std::string_view text) {
  return opt.secret ? mask_secret(std::string(text)) : std::string(text);
}

std::string format_number(value_kind kind, std::int64_t n) {
  switch (kind) {
  case value_kind::duration:
    return format_duration(n);
  case value_kind::size:
    return format_size(n);
  default:
    return std::to_string(n);
  }
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (auto word : words) {
    if (!out.empty())
      out += ", ";
    out += word;
  }
  return out;
}

std::variant<value, problem>
check_bounds(const option& opt, std::string_view text,
             std::variant<std::int64_t, problem> parsed) {
  if (auto* p = std::get_if<problem>(&parsed))
    return *p;
  auto n = std::get<std::int64_t>(parsed);
  if (n < opt.min)
    return problem{std::string(text) + " is below the minimum " +
                   format_number(opt.kind, opt.min)};
  if (n > opt.max)
    return problem{std::string(text) + " is above the maximum " +
                   format_number(opt.kind, opt.max)};
  return value{n};
}

} // namespace

std::span<const option> options() {
  return table;
}

std::vector<std::string_view> sections() {
  std::vector<std::string_view> out;
  for (const auto& opt : table)
    if (out.empty() || out.back() != opt.section())
      out.push_back(opt.section());
  return out;
}

const option* find_option(std::span<const option> opts, std::string_view key) {
  for (const auto& opt : opts)
    if (opt.key == key)
      return &opt;
  return nullptr;
}

std::variant<value, problem> parse_value(const option& opt,
                                         std::string_view text) {
  switch (opt.kind) {
  case value_kind::string: {
    if (opt.rule != nullptr)
      if (auto why = opt.rule(text); !why.empty())
        return problem{quote(shown(opt, text)) + " " + why};
    return value{std::string(text)};
  }
  case value_kind::boolean: {
    auto parsed = parse_bool(trim(text));
    if (auto* p = std::get_if<problem>(&parsed))
      return *p;
    return value{std::get<bool>(parsed)};
  }
  case value_kind::integer:
    return check_bounds(opt, trim(text), parse_integer(trim(text)));
  case value_kind::duration:
    return check_bounds(opt, trim(text), parse_duration_ms(trim(text)));
  case value_kind::size:
    return check_bounds(opt, trim(text), parse_size_bytes(trim(text)));
  case value_kind::choice:
    for (auto word : opt.choices)
      if (word == trim(text))
        return value{std::string(word)};
    return problem{quote(text) + " is not one of " + join(opt.choices)};
  }
  return problem{"has an unknown kind"};
}

std::string format_value(const option& opt, const value& v, bool mask) {
  switch (opt.kind) {
  case value_kind::string: {
    const auto& text = std::get<std::string>(v);
    return quote(mask && opt.secret ? mask_secret(text) : text);
  }
  case value_kind::boolean:
    return std::get<bool>(v) ? "true" : "false";
  case value_kind::choice:
    return std::get<std::string>(v);
  default:
    return format_number(opt.kind, std::get<std::int64_t>(v));
  }
}

std::string bounds_text(const option& opt) {
  switch (opt.kind) {
  case value_kind::string:
    return std::string(opt.rule_text);
  case value_kind::boolean:
    return "true or false";
  case value_kind::choice:
    return "one of " + join(opt.choices);
  default:
    return format_number(opt.kind, opt.min) + ".." +
           format_number(opt.kind, opt.max);
  }
}

} // namespace cdpd::config
