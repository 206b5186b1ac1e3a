#pragma once

#include <chrono>
#include <cstdint>
#include <string>

/// The effective configuration of one cdpd node. Every field has a default
/// here; units and bounds live in the option schema (config/schema.cpp).
/// Immutable once loaded.
namespace cdpd::config {

using millis = std::chrono::milliseconds;

struct http_settings {
  std::string address = "127.0.0.1";
  uint16_t port = 8000; ///< 0 binds a free port (tests)
  int io_threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  millis read_timeout{30'000};
  int max_connections = 1024;
  /// Open connections one client address may hold (IPv6 grouped by /64);
  /// 0 lifts the cap. Behind a proxy every client shares its address.
  int max_connections_per_address = 256;
  millis drain_timeout{10'000};
  std::string policy = "edge"; ///< supervision policy of the HTTP gateway
  std::string static_dir;      ///< built single-page app; empty serves none
  std::size_t max_import_bytes =
      std::size_t{16} * 1024 * 1024 * 1024; ///< streamed bodies (imports)
  /// Origins allowed to call with credentials from a browser, separated by
  /// commas ("https://app.example.com"); empty allows none.
  std::string cors_origins;
  /// PEM certificate chain and private key; both set turns TLS on (and
  /// Strict-Transport-Security), both empty serves plain HTTP.
  std::string tls_cert;
  std::string tls_key; ///< a path; the file is secret, the path is not
};

struct postgres_settings {
  std::string url;      ///< empty: start the embedded PostgreSQL
  std::string read_url; ///< empty: reads use the primary
  int pool_size = 8;
  int read_pool_size = 8;
  millis acquire_timeout{2'000};
  millis statement_timeout{30'000};
  millis connect_timeout{5'000};
  millis startup_timeout{15'000}; ///< how long start-up waits for PostgreSQL
  uint16_t embedded_port = 0;     ///< 0: pick a free port below 32768
  std::string policy = "storage"; ///< supervision policy of pg-write/pg-read
};

struct redis_settings {
  std::string url; ///< empty: Redis is not used
  millis timeout{1'000};
  std::string policy = "connector"; ///< supervision policy of the Redis actor
};

struct state_settings {
  std::string dir; ///< empty: /var/lib/cdpd as root, else ~/.local/state/cdpd
};

struct log_settings {
  std::string level = "info"; ///< trace|debug|info|warn|error|off
};

/// CAF's own settings, applied to caf::actor_system_config.
struct scheduler_settings {
  int max_threads = 0; ///< 0: one per core
  /// Polls (50 us apart) of an idle worker before it sleeps until work
  /// arrives; CAF's own 500 delays work from an idle edge by ~100 us.
  int moderate_poll_attempts = 0;
  /// A sleeping worker looks for work queued on busy ones this often.
  millis relaxed_sleep{1};
};

struct middleman_settings {
  millis heartbeat_interval{1'000};
  millis connection_timeout{5'000};
};

/// The cluster (actors/cluster/README.md). Port 0 runs a single node
/// exactly as without a cluster: no middleman, no membership.
struct cluster_settings {
  int port = 0; ///< where the node agent is published
  std::string address = "127.0.0.1";
  std::string name;    ///< empty: host name and HTTP port
  std::string seeds;   ///< host:port list, comma separated
  millis lease{4'000}; ///< membership lease, renewed every second
};

/// One named supervision policy ([supervision.<name>]): how a supervisor
/// restarts its children and how callers reach a child (buffering, circuit
/// breaker, retries). Factors and jitter are percentages (200 = x2).
struct policy_settings {
  std::string strategy =
      "one_for_one"; ///< one_for_one|one_for_all|rest_for_one
  int intensity = 5; ///< restarts allowed per period
  millis period{10'000};
  millis backoff_min{100};
  millis backoff_max{10'000};
  int backoff_factor = 200; ///< percent
  int backoff_jitter = 20;  ///< percent
  millis backoff_reset_after{30'000};
  int buffer = 0; ///< messages held while a child backs off; 0 rejects them
  bool breaker = false;
  int max_failures = 5;
  millis call_timeout{5'000};
  millis reset_timeout{5'000};
  int half_open_calls = 1;
  int reset_factor = 200; ///< percent
  millis max_reset_timeout{60'000};
  int retry_attempts = 1; ///< 1: no retries
  millis retry_per_try_timeout{1'000};
  millis retry_deadline{3'000};
  millis retry_backoff{50};
};

/// The fixed set of named policies; child kinds pick one by name.
struct supervision_settings {
  policy_settings default_policy;
  policy_settings storage = [] {
    policy_settings p;
    p.buffer = 256;
    p.call_timeout = millis{60'000};
    return p;
  }();
  policy_settings connector = [] {
    policy_settings p;
    p.breaker = true;
    p.call_timeout = millis{2'000};
    p.retry_attempts = 3;
    return p;
  }();
  policy_settings edge;
};

/// The policy called `name` ("default", "storage", "connector", "edge");
/// the default policy for any other name (the schema allows only these).
inline const policy_settings& policy_named(const supervision_settings& s,
                                           const std::string& name) {
  if (name == "storage")
    return s.storage;
  if (name == "connector")
    return s.connector;
  if (name == "edge")
    return s.edge;
  return s.default_policy;
}

/// Operator endpoints under /admin.
struct admin_settings {
  bool enabled = false; ///< off until authentication exists
};

/// Accounts, tokens and anonymous access ([auth]).
struct auth_settings {
  std::string anonymous_role = "none"; ///< none|viewer|manager|admin
  std::string jwt_secret;              ///< HS256 key, at least 32 bytes; secret
  std::string jwt_secret_file;         ///< file holding the key instead
  std::string jwt_previous_secret;     ///< also accepted while rotating; secret
  std::string jwt_previous_secret_file;
  std::string jwt_issuer = "cdpd";
  millis access_ttl{15 * 60'000};
  millis refresh_ttl{30LL * 24 * 3'600'000};
  std::string bootstrap_email = "admin@localhost";
  std::string bootstrap_password; ///< empty: generate and print once; secret
  int login_max_failures = 5;     ///< failed logins before the lockout
  millis login_lockout{15 * 60'000};
  millis cache_refresh{2'000}; ///< reload of keys, roles, revocations
  /// Who reads /metrics without credentials: loopback|true|false.
  std::string public_metrics = "loopback";
};

/// Request limits per route class ([ratelimit]). Each value is a number of
/// requests allowed per the period its name gives (hour or minute); 0 turns
/// that one limit off. General limits apply to every request, a class limit
/// additionally to the requests of its class.
struct ratelimit_settings {
  bool enabled = true; ///< false turns every limit off
  int64_t general_per_hour = 1000;
  int64_t general_per_minute = 100;
  int64_t campaign_create_per_minute = 10;
  int64_t segment_evaluate_per_minute = 20;
  int64_t ai_generate_per_minute = 5;
  int hosts = 4;               ///< limiter host actors
  millis idle_timeout{60'000}; ///< then an idle key's limiter stops
};

/// Bulk import (POST /api/import/...).
struct import_settings {
  int batch_lines = 5000; ///< lines written per database transaction
  int max_errors = 1000;  ///< bad lines reported one by one; more are counted
};

/// Outgoing email ([email]).
struct email_settings {
  std::string provider = "outbox"; ///< outbox|smtp|http
  std::string smtp_url = "smtp://127.0.0.1:2525";
  bool smtp_allow_plaintext = false; ///< smtp:// without STARTTLS off loopback
  std::string http_url;              ///< SendGrid-v3-style send endpoint
  std::string http_api_key;          ///< secret
  std::string outbox_dir;            ///< empty: <state.dir>/outbox
  std::string from = "cdpd <noreply@localhost>";
  int64_t rate_per_second =
      50;                 ///< messages per second for the provider; 0 no limit
  millis timeout{30'000}; ///< one send, connection included
};

/// Campaign and flow delivery ([delivery]).
struct delivery_settings {
  int dispatchers = 2;  ///< dispatcher actors per node
  int batch_size = 100; ///< rows one dispatcher claims at a time
  millis poll_interval{
      1'000};           ///< idle dispatchers look for due rows this often
  millis lease{60'000}; ///< a claimed row returns to the queue after this
  int max_attempts = 5; ///< then a retryable failure is dead
  millis retry_backoff{30'000}; ///< first retry delay; doubles per attempt
  millis max_age{86'400'000};   ///< a row older than this is dead, not retried
  int pause_failures = 50;      ///< failures that pause a campaign; 0 never
  /// Messages per minute per campaign without a speed of its own; 0 no limit.
  int64_t campaign_speed = 0;
  std::string timezone = "UTC"; ///< of campaigns' start_date/start_time_of_day
  std::string public_url = "http://127.0.0.1:8000"; ///< base of /u and /t links
  millis link_ttl{90LL *
                  86'400'000}; ///< click links work this long after sending
  millis wait_day{
      86'400'000}; ///< the length of one WAIT day (shorter in tests)
  bool flow_exit_on_leave = true; ///< runs exit when the customer leaves
};

/// In-memory segments ([segments]).
struct segments_settings {
  int shards = 16; ///< customer shards (virtual; fixed for a cluster)
  millis reevaluate_interval{60'000}; ///< relative-time definitions
  /// Longest wait of a question for the shards to have every write
  /// committed before it; 0: no wait (answers may trail writes).
  millis read_barrier_timeout{2'000};
};

/// Campaign actors and their host ([campaigns]).
struct campaigns_settings {
  /// The host reads the campaigns table this often for campaigns made live
  /// or gone behind its back (psql, another node).
  millis poll_interval{1'000};
  /// A campaign's counts are read again this long after the first report
  /// since the last read, correcting a lost or doubled report.
  millis settle{2'000};
  /// While sending without reports, counts are read again this often.
  millis recheck{30'000};
  millis retry{5'000}; ///< a campaign step after a database error
};

/// `cdpd seed`: how much demo data to generate.
struct seed_settings {
  int64_t customers = 100;
  int64_t orders = 200;
  int64_t products = 50;
  bool force = false; ///< replace existing data
};

/// The assistant ([ai]): the AI routes under /api/ai.
struct ai_settings {
  int max_prompt_chars = 2000; ///< longer prompts are refused with 422
  /// OpenAI-compatible API base ("https://api.openai.com/v1"); empty with
  /// no key: the offline engine answers everything.
  std::string base_url;
  std::string api_key;      ///< secret; sent as Authorization: Bearer
  std::string api_key_file; ///< file holding the key, instead of api_key
  std::string model;        ///< empty: gpt-4o-mini
  millis timeout{20'000};   ///< one answer, retries included
  int max_tokens = 1024;
  std::string temperature = "0.7"; ///< 0 to 2
  std::string prompts_dir;         ///< empty: the prompts built in
  millis cache_ttl{3'600'000};     ///< answers kept this long; 0 no cache
};

/// Signed webhooks out ([webhooks]): endpoint rules and the delivery
/// worker.
struct webhooks_settings {
  bool allow_http = false;    ///< http:// endpoint URLs besides https://
  bool allow_private = false; ///< hosts on loopback, link-local, private nets
  millis retry_for{3LL * 86'400'000};     ///< then a delivery is failed
  millis disable_after{5LL * 86'400'000}; ///< failing this long: disabled
  millis timeout{10'000};                 ///< one POST, connection included
  millis retry_backoff{5'000};            ///< first retry; doubles per attempt
  millis max_backoff{3'600'000};          ///< longest wait between attempts
  millis poll_interval{500}; ///< an idle worker looks for events this often
  millis lease{60'000};      ///< a claimed delivery returns after this
  int workers = 2;           ///< delivery workers per node
  int batch_size = 50;       ///< deliveries of one endpoint claimed at once
};

struct settings {
  http_settings http;
  postgres_settings postgres;
  redis_settings redis;
  state_settings state;
  log_settings log;
  scheduler_settings scheduler;
  middleman_settings middleman;
  cluster_settings cluster;
  supervision_settings supervision;
  admin_settings admin;
  auth_settings auth;
  ratelimit_settings ratelimit;
  import_settings import;
  email_settings email;
  delivery_settings delivery;
  segments_settings segments;
  campaigns_settings campaigns;
  seed_settings seed;
  ai_settings ai;
  webhooks_settings webhooks;
};

} // namespace cdpd::config
