#include "config/loader.hpp"

#include "config/sources.hpp"

#include <initializer_list>

namespace cdpd::config {

namespace internal {

namespace {

/// Parses and stores the last assignment of each option in `list`, in the
/// order those assignments appear. Returns the first invalid one.
std::optional<load_error> apply_source(const std::vector<assignment>& list,
                                       settings& values) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    bool overridden = false;
    for (std::size_t j = i + 1; j < list.size(); ++j)
      overridden = overridden || list[j].opt == list[i].opt;
    if (overridden)
      continue;
    const auto& a = list[i];
    auto parsed = parse_value(*a.opt, a.text);
    if (auto* p = std::get_if<problem>(&parsed))
      return load_error{std::string(a.opt->key) + ": " + p->text + " (from " +
                        a.origin + ")"};
    a.opt->set(values, std::get<value>(parsed));
  }
  return std::nullopt;
}

/// `supervision.NAME.later` must be at least `supervision.NAME.earlier`.
std::optional<load_error> at_least(const std::string& section,
                                   const char* later, millis later_value,
                                   const char* earlier, millis earlier_value) {
  if (later_value >= earlier_value)
    return std::nullopt;
  return load_error{section + "." + later + ": " +
                    format_duration(later_value.count()) +
                    " must be at least " + section + "." + earlier + " (" +
                    format_duration(earlier_value.count()) + ")"};
}

/// The ordering rules inside one [supervision.NAME] policy.
std::optional<load_error> check_policy(const std::string& name,
                                       const policy_settings& p) {
  auto section = "supervision." + name;
  if (auto err = at_least(section, "backoff-max", p.backoff_max, "backoff-min",
                          p.backoff_min))
    return err;
  if (auto err = at_least(section, "max-reset-timeout", p.max_reset_timeout,
                          "reset-timeout", p.reset_timeout))
    return err;
  return at_least(section, "retry-deadline", p.retry_deadline,
                  "retry-per-try-timeout", p.retry_per_try_timeout);
}

/// The prototype's variables (OPENAI_*, then AI_*) for the ai.* keys left
/// unset, so its .env keeps working; a key alone means OpenAI's own API.
void apply_ai_fallbacks(ai_settings& ai,
                        const std::map<std::string, std::string>& env) {
  auto first_of = [&env](std::initializer_list<const char*> names) {
    for (const char* name : names)
      if (auto it = env.find(name); it != env.end() && !it->second.empty())
        return it->second;
    return std::string{};
  };
  if (ai.api_key.empty() && ai.api_key_file.empty())
    ai.api_key = first_of({"OPENAI_API_KEY", "AI_API_KEY"});
  if (ai.base_url.empty())
    ai.base_url = first_of({"OPENAI_BASE_URL", "AI_BASE_URL"});
  if (ai.base_url.empty() && (!ai.api_key.empty() || !ai.api_key_file.empty()))
    ai.base_url = "https://api.openai.com/v1";
  if (ai.model.empty())
    ai.model = first_of({"OPENAI_MODEL", "AI_MODEL"});
}

/// Rules between options, checked once every source is applied.
std::optional<load_error> cross_check(const settings& s) {
  for (const char* name : {"default", "storage", "connector", "edge"})
    if (auto err = check_policy(name, policy_named(s.supervision, name)))
      return err;
  if (!s.auth.jwt_secret.empty() && !s.auth.jwt_secret_file.empty())
    return load_error{"auth.jwt-secret-file: set either auth.jwt-secret or "
                      "auth.jwt-secret-file, not both"};
  if (!s.auth.jwt_previous_secret.empty() &&
      !s.auth.jwt_previous_secret_file.empty())
    return load_error{"auth.jwt-previous-secret-file: set either "
                      "auth.jwt-previous-secret or "
                      "auth.jwt-previous-secret-file, not both"};
  bool previous = !s.auth.jwt_previous_secret.empty() ||
                  !s.auth.jwt_previous_secret_file.empty();
  if (previous && s.auth.jwt_secret.empty() && s.auth.jwt_secret_file.empty())
    return load_error{"auth.jwt-previous-secret: only for a configured key "
                      "(auth.jwt-secret or -file); a key kept in PostgreSQL "
                      "is rotated with `cdpctl keys rotate`"};
  if (!s.ai.api_key.empty() && !s.ai.api_key_file.empty())
    return load_error{"ai.api-key-file: set either ai.api-key or "
                      "ai.api-key-file, not both"};
  if (!s.ai.base_url.empty() && !s.ai.base_url.starts_with("http://") &&
      !s.ai.base_url.starts_with("https://"))
    return load_error{"ai.base-url: " + s.ai.base_url +
                      " is not an http:// or https:// URL"};
  if (s.http.tls_cert.empty() != s.http.tls_key.empty())
    return load_error{"http.tls-key: set both http.tls-cert and "
                      "http.tls-key to serve HTTPS, or neither"};
  if (s.email.provider == "http" && s.email.http_url.empty())
    return load_error{"email.http-url: email.provider=http needs the send "
                      "endpoint's URL"};
  if (s.delivery.lease <= s.email.timeout)
    return load_error{
        "delivery.lease: " + format_duration(s.delivery.lease.count()) +
        " must exceed email.timeout (" +
        format_duration(s.email.timeout.count()) +
        "), or a slow send is sent twice"};
  if (s.cluster.port != 0 && s.cluster.port == s.http.port)
    return load_error{"cluster.port: " + std::to_string(s.cluster.port) +
                      " is also http.port; give the cluster agent a port "
                      "of its own"};
  const auto& mm = s.middleman;
  if (mm.heartbeat_interval.count() > 0 && mm.connection_timeout.count() > 0 &&
      mm.connection_timeout <= mm.heartbeat_interval)
    return load_error{"middleman.connection-timeout: " +
                      format_duration(mm.connection_timeout.count()) +
                      " must exceed middleman.heartbeat-interval (" +
                      format_duration(mm.heartbeat_interval.count()) + ")"};
  return std::nullopt;
}

} // namespace

std::variant<invocation, load_error>
load_with(std::span<const option> table, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env) {
  auto cli = read_command_line(table, args);
  if (auto* err = std::get_if<load_error>(&cli))
    return *err;
  auto& flags = std::get<cli_source>(cli);
  invocation out;
  out.cmd = flags.cmd;
  out.help = flags.help;
  out.dump_config = flags.dump_config;
  if (out.help)
    return out;
  auto environment = read_environment(table, env);
  if (auto* err = std::get_if<load_error>(&environment))
    return *err;
  auto& vars = std::get<env_source>(environment);
  out.config_path = flags.config_path.value_or(vars.config_path.value_or(""));
  if (!out.config_path.empty()) {
    auto file = read_ini_file(table, out.config_path);
    if (auto* err = std::get_if<load_error>(&file))
      return *err;
    if (auto err =
            apply_source(std::get<std::vector<assignment>>(file), out.values))
      return *err;
  }
  if (auto err = apply_source(vars.assignments, out.values))
    return *err;
  if (auto err = apply_source(flags.assignments, out.values))
    return *err;
  apply_ai_fallbacks(out.values.ai, env);
  if (auto err = cross_check(out.values))
    return *err;
  return out;
}

} // namespace internal

std::variant<invocation, load_error>
load(const std::vector<std::string>& args,
     const std::map<std::string, std::string>& env) {
  return internal::load_with(options(), args, env);
}

std::map<std::string, std::string> environment_map(char** envp) {
  std::map<std::string, std::string> out;
  for (; envp != nullptr && *envp != nullptr; ++envp) {
    std::string_view entry = *envp;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos)
      continue;
    out.emplace(std::string(entry.substr(0, eq)),
                std::string(entry.substr(eq + 1)));
  }
  return out;
}

} // namespace cdpd::config
