#include "config/schema.hpp"

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>
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

template <auto Policy, auto Member> value get_policy(const settings& s) {
  return to_value((s.supervision.*Policy).*Member);
}

template <auto Policy, auto Member>
void set_policy(settings& s, const value& v) {
  assign((s.supervision.*Policy).*Member, v);
}

/// Completes an option with the accessors of supervision.Policy.Member.
template <auto Policy, auto Member> constexpr option bind_policy(option opt) {
  opt.get = &get_policy<Policy, Member>;
  opt.set = &set_policy<Policy, Member>;
  return opt;
}

constexpr std::int64_t kib = 1024;
constexpr std::int64_t second = 1000;
constexpr std::int64_t minute = 60 * second;
constexpr std::int64_t hour = 60 * minute;

constexpr std::array<std::string_view, 6> log_levels{"trace", "debug", "info",
                                                     "warn",  "error", "off"};

constexpr std::array<std::string_view, 3> strategies{
    "one_for_one", "one_for_all", "rest_for_one"};

constexpr std::array<std::string_view, 4> policy_names{"default", "storage",
                                                       "connector", "edge"};

constexpr std::string_view postgres_rule =
    "empty, a postgresql:// or postgres:// URL, or a key=value conninfo";

constexpr std::array<std::string_view, 3> email_providers{"outbox", "smtp",
                                                          "http"};

constexpr std::array<std::string_view, 4> anonymous_roles{"none", "viewer",
                                                          "manager", "admin"};

constexpr std::array<std::string_view, 3> metrics_exposures{"loopback", "true",
                                                            "false"};

// HS256 is only as strong as its key; RFC 7518 3.2 asks for at least the
// hash size (32 bytes).
constexpr std::size_t min_jwt_secret_bytes = 32;
constexpr std::size_t min_bootstrap_password_chars = 12;

std::string check_jwt_secret(std::string_view text) {
  if (text.empty() || text.size() >= min_jwt_secret_bytes)
    return {};
  return "is shorter than 32 bytes; make a key with `openssl rand -hex 32`";
}

std::string check_smtp_url(std::string_view text) {
  if (text.starts_with("smtp://") || text.starts_with("smtps://"))
    return {};
  return "is not an smtp:// or smtps:// URL (smtp://user:pass@host:587)";
}

std::string check_temperature(std::string_view text) {
  std::string copy{text};
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (!copy.empty() && end == copy.c_str() + copy.size() && v >= 0 && v <= 2)
    return {};
  return "is not a number from 0 to 2";
}

std::string check_http_url(std::string_view text) {
  if (text.empty() || text.starts_with("http://") ||
      text.starts_with("https://"))
    return {};
  return "is not an http:// or https:// URL";
}

// Links in messages are public_url + "/u/..."; a trailing slash would
// double it.
std::string check_public_url(std::string_view text) {
  if (!check_http_url(text).empty() || text.empty())
    return "is not an http:// or https:// URL (https://shop.example.com)";
  if (text.back() == '/')
    return "ends with '/'; give the base without it";
  return {};
}

// The first problem `check(item)` finds with an item of a comma-separated
// list (items trimmed of spaces), or empty.
template <class Check>
std::string check_items(std::string_view text, Check check) {
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (auto problem = check(item); !problem.empty())
      return problem;
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return {};
}

// "https://host[:port]" items separated by commas: an origin has no path,
// and "*" cannot go with credentials.
std::string check_cors_origins(std::string_view text) {
  return check_items(text, [](std::string_view item) -> std::string {
    auto scheme = item.find("://");
    bool ok =
        scheme != std::string_view::npos &&
        (item.substr(0, scheme) == "http" ||
         item.substr(0, scheme) == "https") &&
        item.size() > scheme + 3 &&
        item.find_first_of("/*? \t", scheme + 3) == std::string_view::npos;
    if (ok)
      return {};
    return "has '" + std::string{item} +
           "', which is not an origin like https://app.example.com (no "
           "path, no '*')";
  });
}

// host:port items separated by commas, each port 1..65535.
std::string check_seeds(std::string_view text) {
  return check_items(text, [](std::string_view item) -> std::string {
    auto colon = item.rfind(':');
    auto port = colon == std::string_view::npos ? std::string_view{}
                                                : item.substr(colon + 1);
    bool digits =
        !port.empty() && port.size() <= 5 &&
        port.find_first_not_of("0123456789") == std::string_view::npos;
    if (colon != 0 && digits && std::stoi(std::string{port}) >= 1 &&
        std::stoi(std::string{port}) <= 65535)
      return {};
    return "has '" + std::string{item} +
           "', which is not host:port (port 1..65535)";
  });
}

// Letters, digits, '.', '-', '_' and ':', at most 48 of them: the name goes
// into PostgreSQL's application_name (63 bytes) with the incarnation.
std::string check_member_name(std::string_view text) {
  if (text.size() > 48)
    return "is longer than 48 characters";
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' &&
        c != '_' && c != ':')
      return "has '" + std::string(1, c) +
             "'; use letters, digits, '.', '-', '_' and ':'";
  return {};
}

std::string check_bootstrap_password(std::string_view text) {
  if (text.empty() || text.size() >= min_bootstrap_password_chars)
    return {};
  return "is shorter than 12 characters; leave it empty to have one "
         "generated";
}

std::string check_email(std::string_view text) {
  auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size())
    return "is not an email address (name@host)";
  return {};
}

using s = settings;
using vk = value_kind;
using ps = policy_settings;
using sv = supervision_settings;

// The keys of one [supervision.NAME] section; every named policy has the
// same set, so the block is written once. String literal concatenation
// needs the preprocessor.
#define CDPD_POLICY_OPTIONS(NAME, MEMBER)                                      \
  bind_policy<&sv::MEMBER, &ps::strategy>(                                     \
      {.key = "supervision." NAME ".strategy",                                 \
       .kind = vk::choice,                                                     \
       .unit = "strategy",                                                     \
       .choices = strategies,                                                  \
       .help = "Which children restart when one fails."}),                     \
      bind_policy<&sv::MEMBER, &ps::intensity>(                                \
          {.key = "supervision." NAME ".intensity",                            \
           .kind = vk::integer,                                                \
           .unit = "restarts",                                                 \
           .min = 0,                                                           \
           .max = 10'000,                                                      \
           .help = "Restarts allowed within the period before the supervisor " \
                   "gives up and escalates."}),                                \
      bind_policy<&sv::MEMBER, &ps::period>(                                   \
          {.key = "supervision." NAME ".period",                               \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 1,                                                           \
           .max = hour,                                                        \
           .help = "Window in which restarts count against the intensity."}),  \
      bind_policy<&sv::MEMBER, &ps::backoff_min>(                              \
          {.key = "supervision." NAME ".backoff-min",                          \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 0,                                                           \
           .max = hour,                                                        \
           .help = "Delay before the first restart of a failed child."}),      \
      bind_policy<&sv::MEMBER, &ps::backoff_max>(                              \
          {.key = "supervision." NAME ".backoff-max",                          \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 0,                                                           \
           .max = hour,                                                        \
           .help = "Longest restart delay; at least backoff-min."}),           \
      bind_policy<&sv::MEMBER, &ps::backoff_factor>(                           \
          {.key = "supervision." NAME ".backoff-factor",                       \
           .kind = vk::integer,                                                \
           .unit = "percent",                                                  \
           .min = 100,                                                         \
           .max = 1000,                                                        \
           .help = "Growth of the restart delay per restart (200 = x2)."}),    \
      bind_policy<&sv::MEMBER, &ps::backoff_jitter>(                           \
          {.key = "supervision." NAME ".backoff-jitter",                       \
           .kind = vk::integer,                                                \
           .unit = "percent",                                                  \
           .min = 0,                                                           \
           .max = 100,                                                         \
           .help = "Random extra on each restart delay, up to this share."}),  \
      bind_policy<&sv::MEMBER, &ps::backoff_reset_after>(                      \
          {.key = "supervision." NAME ".backoff-reset-after",                  \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 0,                                                           \
           .max = hour,                                                        \
           .help = "A child that ran this long restarts with backoff-min "     \
                   "again."}),                                                 \
      bind_policy<&sv::MEMBER, &ps::buffer>(                                   \
          {.key = "supervision." NAME ".buffer",                               \
           .kind = vk::integer,                                                \
           .unit = "messages",                                                 \
           .min = 0,                                                           \
           .max = 100'000,                                                     \
           .help = "Messages held for a child while it restarts; 0 answers "   \
                   "them with child_unavailable."}),                           \
      bind_policy<&sv::MEMBER, &ps::breaker>(                                  \
          {.key = "supervision." NAME ".breaker",                              \
           .kind = vk::boolean,                                                \
           .unit = "switch",                                                   \
           .help = "Put a circuit breaker in front of the child."}),           \
      bind_policy<&sv::MEMBER, &ps::max_failures>(                             \
          {.key = "supervision." NAME ".max-failures",                         \
           .kind = vk::integer,                                                \
           .unit = "failures",                                                 \
           .min = 1,                                                           \
           .max = 10'000,                                                      \
           .help = "Consecutive failures that open the breaker."}),            \
      bind_policy<&sv::MEMBER, &ps::call_timeout>(                             \
          {.key = "supervision." NAME ".call-timeout",                         \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 1,                                                           \
           .max = hour,                                                        \
           .help = "A call through the breaker slower than this is a "         \
                   "failure."}),                                               \
      bind_policy<&sv::MEMBER, &ps::reset_timeout>(                            \
          {.key = "supervision." NAME ".reset-timeout",                        \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 1,                                                           \
           .max = hour,                                                        \
           .help = "How long an open breaker fails fast before probing."}),    \
      bind_policy<&sv::MEMBER, &ps::half_open_calls>(                          \
          {.key = "supervision." NAME ".half-open-calls",                      \
           .kind = vk::integer,                                                \
           .unit = "calls",                                                    \
           .min = 1,                                                           \
           .max = 1000,                                                        \
           .help = "Probe calls that must succeed to close the breaker."}),    \
      bind_policy<&sv::MEMBER, &ps::reset_factor>(                             \
          {.key = "supervision." NAME ".reset-factor",                         \
           .kind = vk::integer,                                                \
           .unit = "percent",                                                  \
           .min = 100,                                                         \
           .max = 1000,                                                        \
           .help = "Growth of the reset timeout after a failed probe (200 = "  \
                   "x2)."}),                                                   \
      bind_policy<&sv::MEMBER, &ps::max_reset_timeout>(                        \
          {.key = "supervision." NAME ".max-reset-timeout",                    \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 1,                                                           \
           .max = 24 * hour,                                                   \
           .help = "Longest reset timeout; at least reset-timeout."}),         \
      bind_policy<&sv::MEMBER, &ps::retry_attempts>(                           \
          {.key = "supervision." NAME ".retry-attempts",                       \
           .kind = vk::integer,                                                \
           .unit = "attempts",                                                 \
           .min = 1,                                                           \
           .max = 100,                                                         \
           .help = "Tries of an idempotent call, the first included; 1 "       \
                   "never retries."}),                                         \
      bind_policy<&sv::MEMBER, &ps::retry_per_try_timeout>(                    \
          {.key = "supervision." NAME ".retry-per-try-timeout",                \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 1,                                                           \
           .max = hour,                                                        \
           .help = "Timeout of each try of an idempotent call."}),             \
      bind_policy<&sv::MEMBER, &ps::retry_deadline>(                           \
          {.key = "supervision." NAME ".retry-deadline",                       \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 1,                                                           \
           .max = hour,                                                        \
           .help = "Overall time an idempotent call may take, retries "        \
                   "included; at least retry-per-try-timeout."}),              \
      bind_policy<&sv::MEMBER, &ps::retry_backoff>(                            \
          {.key = "supervision." NAME ".retry-backoff",                        \
           .kind = vk::duration,                                               \
           .unit = "duration",                                                 \
           .min = 0,                                                           \
           .max = minute,                                                      \
           .help = "Pause before the first retry; doubles for each further "   \
                   "one."})

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
    bind<&s::http, &http_settings::max_connections_per_address>(
        {.key = "http.max-connections-per-address",
         .kind = vk::integer,
         .unit = "connections",
         .min = 0,
         .max = 100'000,
         .help = "Most connections one client address (IPv6: its /64) may "
                 "hold open; more are answered 429. 0: no cap. Behind a "
                 "proxy, every client shares its address: raise it or set "
                 "0."}),
    bind<&s::http, &http_settings::drain_timeout>(
        {.key = "http.drain-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = 10 * minute,
         .help =
             "On shutdown, how long in-flight requests may take to finish."}),
    bind<&s::http, &http_settings::policy>(
        {.key = "http.policy",
         .kind = vk::choice,
         .unit = "policy",
         .choices = policy_names,
         .help = "Supervision policy of the HTTP gateway."}),
    bind<&s::http, &http_settings::static_dir>(
        {.key = "http.static-dir",
         .unit = "path",
         .help = "Folder of a built single-page app, served for GET requests "
                 "that no API route takes (index.html for client routes); "
                 "empty serves none."}),
    bind<&s::http, &http_settings::max_import_bytes>(
        {.key = "http.max-import-bytes",
         .kind = vk::size,
         .unit = "bytes",
         .min = kib,
         .max = kib * kib * kib * kib,
         .help = "Largest streamed request body (bulk import); streamed "
                 "bodies are never held in memory whole."}),
    bind<&s::http, &http_settings::cors_origins>(
        {.key = "http.cors-origins",
         .unit = "origins",
         .rule = &check_cors_origins,
         .rule_text = "origins like https://app.example.com, comma separated",
         .help = "Browser origins allowed to call the API with credentials "
                 "(CORS); empty allows none, and '*' is never allowed."}),
    bind<&s::http, &http_settings::tls_cert>(
        {.key = "http.tls-cert",
         .unit = "path",
         .help = "PEM certificate chain; with http.tls-key, serves HTTPS "
                 "only (and sends Strict-Transport-Security)."}),
    bind<&s::http, &http_settings::tls_key>(
        {.key = "http.tls-key",
         .unit = "path",
         .help = "PEM private key of http.tls-cert; keep the file readable "
                 "by cdpd only."}),

    bind<&s::postgres, &postgres_settings::url>(
        {.key = "postgres.url",
         .unit = "URL",
         .rule = &check_postgres_url,
         .rule_text = postgres_rule,
         .secret = secrecy::password_in_url,
         .help = "Primary PostgreSQL; empty starts an embedded PostgreSQL."}),
    bind<&s::postgres, &postgres_settings::read_url>(
        {.key = "postgres.read-url",
         .unit = "URL",
         .rule = &check_postgres_url,
         .rule_text = postgres_rule,
         .secret = secrecy::password_in_url,
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
         .help = "Number of the embedded PostgreSQL's Unix socket in its data "
                 "folder (it listens on no TCP port); 0 means 5432."}),
    bind<&s::postgres, &postgres_settings::policy>(
        {.key = "postgres.policy",
         .kind = vk::choice,
         .unit = "policy",
         .choices = policy_names,
         .help = "Supervision policy of the pg-write and pg-read actors."}),

    bind<&s::redis, &redis_settings::url>(
        {.key = "redis.url",
         .unit = "URL",
         .rule = &check_redis_url,
         .rule_text = "empty, or redis://[[user]:password@]host[:port][/db]",
         .secret = secrecy::password_in_url,
         .help = "Redis server; empty runs without Redis."}),
    bind<&s::redis, &redis_settings::timeout>(
        {.key = "redis.timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = minute,
         .help = "Connect and command timeout for Redis."}),
    bind<&s::redis, &redis_settings::policy>(
        {.key = "redis.policy",
         .kind = vk::choice,
         .unit = "policy",
         .choices = policy_names,
         .help = "Supervision policy of the Redis actor."}),

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
    bind<&s::scheduler, &scheduler_settings::moderate_poll_attempts>(
        {.key = "scheduler.moderate-poll-attempts",
         .kind = vk::integer,
         .unit = "polls",
         .min = 0,
         .max = 100'000,
         .help = "Polls, 50 us apart, an idle worker makes before it sleeps "
                 "until work wakes it; 0 sleeps at once, the quickest answer "
                 "on an idle node (CAF's default is 500)."}),
    bind<&s::scheduler, &scheduler_settings::relaxed_sleep>(
        {.key = "scheduler.relaxed-sleep",
         .kind = vk::duration,
         .unit = "duration",
         .min = 1,
         .max = second,
         .help = "How often a sleeping worker wakes to take work queued on "
                 "busy workers (CAF's default is 10ms)."}),

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

    bind<&s::cluster, &cluster_settings::port>(
        {.key = "cluster.port",
         .kind = vk::integer,
         .unit = "port",
         .min = 0,
         .max = 65535,
         .help = "Port of this node's cluster agent; 0 runs a single node "
                 "(no cluster traffic at all). Nodes that share a "
                 "PostgreSQL database and set it form one cluster."}),
    bind<&s::cluster, &cluster_settings::address>(
        {.key = "cluster.address",
         .unit = "address",
         .rule = &check_not_empty,
         .rule_text = "non-empty",
         .help = "Address the cluster agent listens on and other nodes "
                 "connect to; keep it on a private network."}),
    bind<&s::cluster, &cluster_settings::name>(
        {.key = "cluster.name",
         .unit = "name",
         .rule = &check_member_name,
         .rule_text = "letters, digits, '.', '-', '_', ':'; at most 48",
         .help = "This node's name in the cluster, the same across "
                 "restarts; empty is the host name and the HTTP port."}),
    bind<&s::cluster, &cluster_settings::seeds>(
        {.key = "cluster.seeds",
         .unit = "host:port list",
         .rule = &check_seeds,
         .rule_text = "host:port items, comma separated",
         .help = "Cluster agents to connect to at start, before the "
                 "membership table names them; PostgreSQL still decides "
                 "who is a member."}),
    bind<&s::cluster, &cluster_settings::lease>(
        {.key = "cluster.lease",
         .kind = vk::duration,
         .unit = "duration",
         .min = 2 * second,
         .max = minute,
         .help = "Membership lease, renewed every second: a node that "
                 "cannot renew it for this long is down for the others, "
                 "and fences itself before then."}),

    CDPD_POLICY_OPTIONS("default", default_policy),
    CDPD_POLICY_OPTIONS("storage", storage),
    CDPD_POLICY_OPTIONS("connector", connector),
    CDPD_POLICY_OPTIONS("edge", edge),

    bind<&s::admin, &admin_settings::enabled>(
        {.key = "admin.enabled",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "Serve the /admin inspection endpoints (admin role)."}),

    bind<&s::auth, &auth_settings::anonymous_role>(
        {.key = "auth.anonymous-role",
         .kind = vk::choice,
         .unit = "role",
         .choices = anonymous_roles,
         .help = "Role granted to requests without credentials; none "
                 "answers them with 401."}),
    bind<&s::auth, &auth_settings::jwt_secret>(
        {.key = "auth.jwt-secret",
         .unit = "key",
         .rule = &check_jwt_secret,
         .rule_text = "empty, or at least 32 bytes",
         .secret = secrecy::whole,
         .help = "HS256 key signing access tokens (`openssl rand -hex 32`); "
                 "the same on every node. Prefer CDPD_AUTH_JWT_SECRET or "
                 "auth.jwt-secret-file. Unset: a key made once and kept in "
                 "PostgreSQL (cluster_secrets)."}),
    bind<&s::auth, &auth_settings::jwt_secret_file>(
        {.key = "auth.jwt-secret-file",
         .unit = "path",
         .help = "File holding the HS256 key (trailing newline ignored); use "
                 "instead of auth.jwt-secret."}),
    bind<&s::auth, &auth_settings::jwt_previous_secret>(
        {.key = "auth.jwt-previous-secret",
         .unit = "key",
         .rule = &check_jwt_secret,
         .rule_text = "empty, or at least 32 bytes",
         .secret = secrecy::whole,
         .help = "While rotating a configured key: the key it replaces, "
                 "still accepted (remove it after auth.access-ttl)."}),
    bind<&s::auth, &auth_settings::jwt_previous_secret_file>(
        {.key = "auth.jwt-previous-secret-file",
         .unit = "path",
         .help = "File holding the previous HS256 key; use instead of "
                 "auth.jwt-previous-secret."}),
    bind<&s::auth, &auth_settings::jwt_issuer>(
        {.key = "auth.jwt-issuer",
         .unit = "name",
         .rule = &check_not_empty,
         .rule_text = "non-empty",
         .help = "The iss claim of issued tokens; tokens with another issuer "
                 "are refused."}),
    bind<&s::auth, &auth_settings::access_ttl>(
        {.key = "auth.access-ttl",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10 * second,
         .max = 24 * hour,
         .help = "Lifetime of an access token."}),
    bind<&s::auth, &auth_settings::refresh_ttl>(
        {.key = "auth.refresh-ttl",
         .kind = vk::duration,
         .unit = "duration",
         .min = minute,
         .max = 365 * 24 * hour,
         .help = "Lifetime of a refresh token."}),
    bind<&s::auth, &auth_settings::bootstrap_email>(
        {.key = "auth.bootstrap-email",
         .unit = "email",
         .rule = &check_email,
         .rule_text = "name@host",
         .help = "Email of the admin account created on first start, when "
                 "no account exists."}),
    bind<&s::auth, &auth_settings::bootstrap_password>(
        {.key = "auth.bootstrap-password",
         .unit = "password",
         .rule = &check_bootstrap_password,
         .rule_text = "empty, or at least 12 characters",
         .secret = secrecy::whole,
         .help = "Password of that first admin; empty generates one and "
                 "prints it once."}),
    bind<&s::auth, &auth_settings::login_max_failures>(
        {.key = "auth.login-max-failures",
         .kind = vk::integer,
         .unit = "failures",
         .min = 1,
         .max = 1000,
         .help = "Failed logins for one account or client address before "
                 "further attempts are refused for auth.login-lockout."}),
    bind<&s::auth, &auth_settings::login_lockout>(
        {.key = "auth.login-lockout",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 24 * hour,
         .help = "How long logins stay refused after too many failures."}),
    bind<&s::auth, &auth_settings::cache_refresh>(
        {.key = "auth.cache-refresh",
         .kind = vk::duration,
         .unit = "duration",
         .min = 100,
         .max = 10 * minute,
         .help = "How often each node reloads API keys, account roles and "
                 "revoked tokens: the longest a change made on another node "
                 "takes to apply here."}),
    bind<&s::auth, &auth_settings::public_metrics>(
        {.key = "auth.public-metrics",
         .kind = vk::choice,
         .unit = "who",
         .choices = metrics_exposures,
         .help = "Who reads /metrics without credentials: loopback clients "
                 "only (a Prometheus elsewhere sends a viewer token or API "
                 "key), true for everyone, false for nobody."}),

    bind<&s::ratelimit, &ratelimit_settings::enabled>(
        {.key = "ratelimit.enabled",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "Apply the request limits; false turns every limit off "
                 "(load tests, trusted networks)."}),
    bind<&s::ratelimit, &ratelimit_settings::general_per_hour>(
        {.key = "ratelimit.general-per-hour",
         .kind = vk::integer,
         .unit = "requests/hour",
         .min = 0,
         .max = 100'000'000,
         .help = "Requests per hour for each client, any route; 0 is no "
                 "limit."}),
    bind<&s::ratelimit, &ratelimit_settings::general_per_minute>(
        {.key = "ratelimit.general-per-minute",
         .kind = vk::integer,
         .unit = "requests/minute",
         .min = 0,
         .max = 10'000'000,
         .help = "Requests per minute for each client, any route; 0 is no "
                 "limit."}),
    bind<&s::ratelimit, &ratelimit_settings::campaign_create_per_minute>(
        {.key = "ratelimit.campaign-create-per-minute",
         .kind = vk::integer,
         .unit = "requests/minute",
         .min = 0,
         .max = 10'000'000,
         .help = "Campaign creations per minute for each client; 0 is no "
                 "limit."}),
    bind<&s::ratelimit, &ratelimit_settings::segment_evaluate_per_minute>(
        {.key = "ratelimit.segment-evaluate-per-minute",
         .kind = vk::integer,
         .unit = "requests/minute",
         .min = 0,
         .max = 10'000'000,
         .help = "Segment evaluations per minute for each client; 0 is no "
                 "limit."}),
    bind<&s::ratelimit, &ratelimit_settings::ai_generate_per_minute>(
        {.key = "ratelimit.ai-generate-per-minute",
         .kind = vk::integer,
         .unit = "requests/minute",
         .min = 0,
         .max = 10'000'000,
         .help = "AI content generations per minute for each client; 0 is "
                 "no limit."}),

    bind<&s::ratelimit, &ratelimit_settings::hosts>(
        {.key = "ratelimit.hosts",
         .kind = vk::integer,
         .unit = "actors",
         .min = 1,
         .max = 64,
         .help = "Limiter host actors the limited keys are spread over. In "
                 "a cluster they are spread over the members (use at least "
                 "8 per member); the first member stores the value and a "
                 "node started with another one refuses to start."}),
    bind<&s::ratelimit, &ratelimit_settings::idle_timeout>(
        {.key = "ratelimit.idle-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 24 * hour,
         .help = "A key's limiter actor stops after this long without "
                 "requests, once its limits have fully recovered."}),

    bind<&s::import, &import_settings::batch_lines>(
        {.key = "import.batch-lines",
         .kind = vk::integer,
         .unit = "lines",
         .min = 1,
         .max = 100'000,
         .help = "Bulk import: lines written per database transaction."}),
    bind<&s::import, &import_settings::max_errors>(
        {.key = "import.max-errors",
         .kind = vk::integer,
         .unit = "errors",
         .min = 0,
         .max = 1'000'000,
         .help = "Bulk import: bad lines reported one by one; further bad "
                 "lines are only counted."}),

    bind<&s::email, &email_settings::provider>(
        {.key = "email.provider",
         .kind = vk::choice,
         .unit = "provider",
         .choices = email_providers,
         .help = "How campaign email leaves: outbox (one .eml file per "
                 "message in email.outbox-dir), smtp or http."}),
    bind<&s::email, &email_settings::smtp_url>(
        {.key = "email.smtp-url",
         .unit = "URL",
         .rule = &check_smtp_url,
         .rule_text = "smtp:// (STARTTLS) or smtps://",
         .secret = secrecy::password_in_url,
         .help = "SMTP server of the smtp provider, with user and password "
                 "if it needs them (smtp://user:pass@host:587). smtp:// "
                 "must upgrade with STARTTLS unless the host is loopback."}),
    bind<&s::email, &email_settings::smtp_allow_plaintext>(
        {.key = "email.smtp-allow-plaintext",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "Send over smtp:// without TLS when the server offers no "
                 "STARTTLS, also off loopback (credentials and messages "
                 "then cross the network in clear)."}),
    bind<&s::email, &email_settings::http_url>(
        {.key = "email.http-url",
         .unit = "URL",
         .rule = &check_http_url,
         .rule_text = "empty, or an http:// or https:// URL",
         .secret = secrecy::password_in_url,
         .help = "Send endpoint of the http provider (SendGrid v3 style "
                 "JSON)."}),
    bind<&s::email, &email_settings::http_api_key>(
        {.key = "email.http-api-key",
         .unit = "key",
         .secret = secrecy::whole,
         .help = "Sent as Authorization: Bearer to email.http-url."}),
    bind<&s::email, &email_settings::outbox_dir>(
        {.key = "email.outbox-dir",
         .unit = "path",
         .help = "Folder of the outbox provider; empty is outbox/ in the "
                 "state directory."}),
    bind<&s::email, &email_settings::from>(
        {.key = "email.from",
         .unit = "address",
         .rule = &check_not_empty,
         .rule_text = "not empty",
         .help =
             "Sender of campaign messages (\"Shop <news@shop.example>\")."}),
    bind<&s::email, &email_settings::rate_per_second>(
        {.key = "email.rate-per-second",
         .kind = vk::integer,
         .unit = "messages/second",
         .min = 0,
         .max = 1'000'000,
         .help = "Messages per second through the provider (key "
                 "provider:<email.provider> of the rate limiters), shared by "
                 "every dispatcher: in a cluster the key's limiter host runs "
                 "on one member, so this is the cluster's rate; 0 is no "
                 "limit."}),
    bind<&s::email, &email_settings::timeout>(
        {.key = "email.timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 10 * minute,
         .help = "Upper bound of sending one message, connection "
                 "included."}),

    bind<&s::delivery, &delivery_settings::dispatchers>(
        {.key = "delivery.dispatchers",
         .kind = vk::integer,
         .unit = "actors",
         .min = 0,
         .max = 256,
         .help = "Dispatcher actors on this node sending due deliveries; 0 "
                 "sends nothing from this node."}),
    bind<&s::delivery, &delivery_settings::batch_size>(
        {.key = "delivery.batch-size",
         .kind = vk::integer,
         .unit = "rows",
         .min = 1,
         .max = 10'000,
         .help = "Deliveries one dispatcher claims at a time."}),
    bind<&s::delivery, &delivery_settings::poll_interval>(
        {.key = "delivery.poll-interval",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = minute,
         .help = "How often an idle dispatcher looks for due deliveries and "
                 "scheduled campaigns."}),
    bind<&s::delivery, &delivery_settings::lease>(
        {.key = "delivery.lease",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = hour,
         .help = "A claimed delivery returns to the queue after this when its "
                 "dispatcher died; longer than email.timeout."}),
    bind<&s::delivery, &delivery_settings::max_attempts>(
        {.key = "delivery.max-attempts",
         .kind = vk::integer,
         .unit = "attempts",
         .min = 1,
         .max = 100,
         .help = "Attempts of a delivery that keeps failing retryably before "
                 "it becomes a dead letter."}),
    bind<&s::delivery, &delivery_settings::retry_backoff>(
        {.key = "delivery.retry-backoff",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = 24 * hour,
         .help = "Delay before the first retry; each further retry waits "
                 "twice as long."}),
    bind<&s::delivery, &delivery_settings::max_age>(
        {.key = "delivery.max-age",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 30 * 24 * hour,
         .help = "A delivery still failing this long after it was due is a "
                 "dead letter."}),
    bind<&s::delivery, &delivery_settings::pause_failures>(
        {.key = "delivery.pause-failures",
         .kind = vk::integer,
         .unit = "failures",
         .min = 0,
         .max = 1'000'000,
         .help = "Failed sends after which a campaign pauses itself and says "
                 "why; 0 never pauses."}),
    bind<&s::delivery, &delivery_settings::campaign_speed>(
        {.key = "delivery.campaign-speed",
         .kind = vk::integer,
         .unit = "messages/minute",
         .min = 0,
         .max = 1'000'000,
         .help = "Send speed of each campaign without its own "
                 "send_speed_per_minute, in messages per minute; 0 is no "
                 "limit."}),
    bind<&s::delivery, &delivery_settings::timezone>(
        {.key = "delivery.timezone",
         .unit = "time zone",
         .rule = &check_not_empty,
         .rule_text = "a PostgreSQL time zone name",
         .help = "Time zone of campaigns' start_date and start_time_of_day "
                 "(Europe/Berlin, UTC)."}),
    bind<&s::delivery, &delivery_settings::public_url>(
        {.key = "delivery.public-url",
         .unit = "URL",
         .rule = &check_public_url,
         .rule_text = "an http:// or https:// URL without a trailing '/'",
         .help = "Base of the unsubscribe and tracking links in messages: "
                 "where recipients reach cdpd."}),
    bind<&s::delivery, &delivery_settings::link_ttl>(
        {.key = "delivery.link-ttl",
         .kind = vk::duration,
         .unit = "duration",
         .min = hour,
         .max = 3650 * 24 * hour,
         .help = "How long a message's click links redirect after it was "
                 "sent; unsubscribe links do not expire."}),
    bind<&s::delivery, &delivery_settings::wait_day>(
        {.key = "delivery.wait-day",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = 24 * hour,
         .help = "Length of one day of a flow's WAIT step; shorter only to "
                 "try flows out."}),
    bind<&s::delivery, &delivery_settings::flow_exit_on_leave>(
        {.key = "delivery.flow-exit-on-leave",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "A flow run ends when its customer is no longer in the "
                 "flow's segment at its next step; its remaining mail is "
                 "not sent."}),

    bind<&s::segments, &segments_settings::shards>(
        {.key = "segments.shards",
         .kind = vk::integer,
         .unit = "shards",
         .min = 1,
         .max = 1024,
         .help = "Customer shards held in memory; the same on every node of "
                 "a cluster (checked when a node joins)."}),
    bind<&s::segments, &segments_settings::reevaluate_interval>(
        {.key = "segments.reevaluate-interval",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 24 * hour,
         .help = "How often segments with relative dates (\"ordered within "
                 "30 days\") are evaluated again as days pass; writes reach "
                 "the in-memory shards as they commit, not on this "
                 "schedule."}),
    bind<&s::segments, &segments_settings::read_barrier_timeout>(
        {.key = "segments.read-barrier-timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = minute,
         .help = "Longest wait of a segment question (preview, members) "
                 "for the in-memory shards to have every write committed "
                 "before it; past it the answer is 503 with Retry-After, "
                 "never a stale count. 0 turns the wait off: answers may "
                 "then miss writes of the last few milliseconds."}),
    bind<&s::campaigns, &campaigns_settings::poll_interval>(
        {.key = "campaigns.poll-interval",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = 10 * minute,
         .help = "How often the campaign host reads the campaigns table for "
                 "campaigns made live or deleted behind its back (psql, "
                 "another node); changes through the API reach it at once."}),
    bind<&s::campaigns, &campaigns_settings::settle>(
        {.key = "campaigns.settle",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = 10 * minute,
         .help = "A sending campaign's counts are read again from PostgreSQL "
                 "this long after the dispatchers' first report since the "
                 "last read, correcting a lost or doubled report."}),
    bind<&s::campaigns, &campaigns_settings::recheck>(
        {.key = "campaigns.recheck",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = hour,
         .help = "While a campaign sends without reports (rows held back by "
                 "its speed, retries waiting), its counts are read again "
                 "this often."}),
    bind<&s::campaigns, &campaigns_settings::retry>(
        {.key = "campaigns.retry",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = hour,
         .help = "A campaign step that failed on the database (reading the "
                 "campaign, starting it, completing it) is tried again after "
                 "this."}),

    bind<&s::seed, &seed_settings::customers>(
        {.key = "seed.customers",
         .kind = vk::integer,
         .unit = "customers",
         .min = 1,
         .max = 50'000'000,
         .help = "cdpd seed: customers to generate (also --customers)."}),
    bind<&s::seed, &seed_settings::orders>(
        {.key = "seed.orders",
         .kind = vk::integer,
         .unit = "orders",
         .min = 0,
         .max = 200'000'000,
         .help = "cdpd seed: orders to generate (also --orders)."}),
    bind<&s::seed, &seed_settings::products>(
        {.key = "seed.products",
         .kind = vk::integer,
         .unit = "products",
         .min = 1,
         .max = 100'000,
         .help = "cdpd seed: products to generate (also --products)."}),
    bind<&s::seed, &seed_settings::force>(
        {.key = "seed.force",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "cdpd seed: replace existing customer data (also --force)."}),

    bind<&s::ai, &ai_settings::max_prompt_chars>(
        {.key = "ai.max-prompt-chars",
         .kind = vk::integer,
         .unit = "characters",
         .min = 1,
         .max = 100'000,
         .help = "Longest prompt the AI routes accept (the prompt, a "
                 "segment description or a chat context); longer ones are "
                 "answered 422."}),
    bind<&s::ai, &ai_settings::base_url>(
        {.key = "ai.base-url",
         .unit = "URL",
         .rule = &check_http_url,
         .rule_text = "empty, or an http:// or https:// URL",
         .help = "OpenAI-compatible API base (POST <base>/chat/completions); "
                 "unset: OPENAI_BASE_URL, then AI_BASE_URL, then "
                 "https://api.openai.com/v1 when a key is set. With neither "
                 "a URL nor a key the offline engine answers."}),
    bind<&s::ai, &ai_settings::api_key>(
        {.key = "ai.api-key",
         .unit = "key",
         .secret = secrecy::whole,
         .help = "Sent as Authorization: Bearer; unset: OPENAI_API_KEY, "
                 "then AI_API_KEY."}),
    bind<&s::ai, &ai_settings::api_key_file>(
        {.key = "ai.api-key-file",
         .unit = "path",
         .help = "File holding the provider key (trailing newline "
                 "ignored); use instead of ai.api-key."}),
    bind<&s::ai, &ai_settings::model>(
        {.key = "ai.model",
         .unit = "name",
         .help = "Model asked; unset: OPENAI_MODEL, then AI_MODEL, then "
                 "gpt-4o-mini."}),
    bind<&s::ai, &ai_settings::timeout>(
        {.key = "ai.timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = 5 * minute,
         .help = "Longest a provider answer may take, retries included; "
                 "then the offline engine answers."}),
    bind<&s::ai, &ai_settings::max_tokens>(
        {.key = "ai.max-tokens",
         .kind = vk::integer,
         .unit = "tokens",
         .min = 16,
         .max = 100'000,
         .help = "max_tokens of each provider request."}),
    bind<&s::ai, &ai_settings::temperature>(
        {.key = "ai.temperature",
         .unit = "number",
         .rule = &check_temperature,
         .rule_text = "a number from 0 to 2",
         .help = "temperature of each provider request."}),
    bind<&s::ai, &ai_settings::prompts_dir>(
        {.key = "ai.prompts-dir",
         .unit = "path",
         .help = "Folder whose <route>.txt files replace the built-in "
                 "system prompts (segment, flow, campaign, chat, content); "
                 "empty: the built-in ones."}),
    bind<&s::ai, &ai_settings::cache_ttl>(
        {.key = "ai.cache-ttl",
         .kind = vk::duration,
         .unit = "duration",
         .min = 0,
         .max = 7 * 24 * 60 * minute,
         .help = "How long an AI answer is kept, by route, normalised "
                 "prompt and model (in Redis when configured, else in "
                 "memory); a cached answer costs no rate-limit token. 0 "
                 "turns the cache off."}),

    bind<&s::webhooks, &webhooks_settings::allow_http>(
        {.key = "webhooks.allow-http",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "Webhook endpoint URLs may be http:// as well as https:// "
                 "(events and their signatures then cross the network in "
                 "clear)."}),
    bind<&s::webhooks, &webhooks_settings::allow_private>(
        {.key = "webhooks.allow-private",
         .kind = vk::boolean,
         .unit = "switch",
         .help = "Webhook endpoints may be hosts that resolve to loopback, "
                 "link-local, private or other non-public addresses "
                 "(refused otherwise, so the API cannot be used to reach "
                 "the node's own network)."}),
    bind<&s::webhooks, &webhooks_settings::retry_for>(
        {.key = "webhooks.retry-for",
         .kind = vk::duration,
         .unit = "duration",
         .min = 1,
         .max = 30LL * 24 * hour,
         .help = "A webhook delivery that keeps failing (no answer, timeout, "
                 "408, 429, 5xx) is retried this long from its first attempt, "
                 "then marked failed and the endpoint's next one goes."}),
    bind<&s::webhooks, &webhooks_settings::disable_after>(
        {.key = "webhooks.disable-after",
         .kind = vk::duration,
         .unit = "duration",
         .min = 1,
         .max = 90LL * 24 * hour,
         .help = "An endpoint whose attempts have all failed for this long "
                 "is disabled, with the reason; enabling it again (PUT "
                 "enabled=true) sends what it missed."}),
    bind<&s::webhooks, &webhooks_settings::timeout>(
        {.key = "webhooks.timeout",
         .kind = vk::duration,
         .unit = "duration",
         .min = 100,
         .max = 5 * minute,
         .help = "One webhook POST, connection included; slower is a "
                 "failure to retry."}),
    bind<&s::webhooks, &webhooks_settings::retry_backoff>(
        {.key = "webhooks.retry-backoff",
         .kind = vk::duration,
         .unit = "duration",
         .min = 1,
         .max = hour,
         .help = "Wait before the first retry of a webhook delivery; it "
                 "doubles per attempt, and an answer's Retry-After replaces "
                 "it."}),
    bind<&s::webhooks, &webhooks_settings::max_backoff>(
        {.key = "webhooks.max-backoff",
         .kind = vk::duration,
         .unit = "duration",
         .min = 1,
         .max = 24 * hour,
         .help = "Longest wait between two attempts of a webhook delivery "
                 "(Retry-After included)."}),
    bind<&s::webhooks, &webhooks_settings::poll_interval>(
        {.key = "webhooks.poll-interval",
         .kind = vk::duration,
         .unit = "duration",
         .min = 10,
         .max = minute,
         .help = "An idle webhook worker looks for new events and due "
                 "deliveries this often."}),
    bind<&s::webhooks, &webhooks_settings::lease>(
        {.key = "webhooks.lease",
         .kind = vk::duration,
         .unit = "duration",
         .min = second,
         .max = hour,
         .help = "Webhook deliveries a worker claimed return to the queue "
                 "after this unless it renews the lease (a worker renews "
                 "before a POST could outlast it)."}),
    bind<&s::webhooks, &webhooks_settings::workers>(
        {.key = "webhooks.workers",
         .kind = vk::integer,
         .unit = "workers",
         .min = 0,
         .max = 64,
         .help = "Webhook workers per node, each sending to one endpoint at "
                 "a time; 0 sends no webhooks from this node."}),
    bind<&s::webhooks, &webhooks_settings::batch_size>(
        {.key = "webhooks.batch-size",
         .kind = vk::integer,
         .unit = "deliveries",
         .min = 1,
         .max = 10'000,
         .help = "Deliveries of one endpoint a worker claims at once and "
                 "sends in order."}),
};

#undef CDPD_POLICY_OPTIONS

/// The text with the option's secret part masked; an empty secret stays
/// empty, so dumps show whether one is set.
std::string masked(const option& opt, const std::string& text) {
  switch (opt.secret) {
  case secrecy::password_in_url:
    return mask_secret(text);
  case secrecy::whole:
    return text.empty() ? text : std::string("***");
  default:
    return text;
  }
}

/// The value as the error message shows it: secrets masked.
std::string shown(const option& opt, std::string_view text) {
  return masked(opt, std::string(text));
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
    return quote(mask ? masked(opt, text) : text);
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
