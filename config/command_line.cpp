#include "config/sources.hpp"

namespace cdpd::config::internal {

namespace {

load_error unknown_flag(std::string_view arg) {
  return {std::string(arg) + ": unknown flag (see --help)"};
}

load_error takes_no_value(std::string_view flag) {
  return {"--" + std::string(flag) + ": takes no value"};
}

} // namespace

std::variant<cli_source, load_error>
read_command_line(std::span<const option> table,
                  const std::vector<std::string>& args) {
  cli_source out;
  std::optional<std::string_view> command_word;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") {
      out.help = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      if (!arg.empty() && arg[0] == '-')
        return unknown_flag(arg);
      if (command_word)
        return load_error{quote(arg) + ": only one command may be given (" +
                          quote(*command_word) + " came first)"};
      if (arg == "run")
        out.cmd = command::run;
      else if (arg == "migrate")
        out.cmd = command::migrate;
      else if (arg == "seed")
        out.cmd = command::seed;
      else
        return load_error{quote(arg) +
                          ": unknown command (expected run, migrate or seed)"};
      command_word = arg;
      continue;
    }
    auto body = arg.substr(2);
    auto eq = body.find('=');
    std::string flag_text{body.substr(0, eq)};
    // `cdpd seed --customers N` reads better than --seed.customers.
    if (flag_text == "customers" || flag_text == "orders" ||
        flag_text == "products" || flag_text == "force")
      flag_text = "seed." + flag_text;
    std::string_view flag = flag_text;
    std::optional<std::string> inline_value;
    if (eq != std::string_view::npos)
      inline_value = std::string(body.substr(eq + 1));
    // The next argument is the value unless it is missing or another flag.
    auto take_value = [&]() -> std::optional<std::string> {
      if (inline_value)
        return inline_value;
      if (i + 1 < args.size() && args[i + 1].substr(0, 2) != "--")
        return args[++i];
      return std::nullopt;
    };
    if (flag == "help" || flag == "dump-config") {
      if (inline_value)
        return takes_no_value(flag);
      (flag == "help" ? out.help : out.dump_config) = true;
      continue;
    }
    if (flag == "config") {
      auto path = take_value();
      if (!path || path->empty())
        return load_error{"--config: missing value (a config file path)"};
      out.config_path = *path;
      continue;
    }
    if (flag.find('.') == std::string_view::npos)
      return unknown_flag("--" + std::string(flag));
    const auto* opt = find_option(table, flag);
    auto origin = "--" + std::string(flag);
    if (opt == nullptr)
      return load_error{std::string(flag) + ": unknown option (from " + origin +
                        ")"};
    std::optional<std::string> text;
    // A bare boolean flag means true; it never consumes the next argument,
    // so `--some.flag migrate` keeps `migrate` a command.
    if (opt->kind == value_kind::boolean)
      text = inline_value ? inline_value : std::string("true");
    else
      text = take_value();
    if (!text)
      return load_error{std::string(flag) + ": missing value (from " + origin +
                        ")"};
    out.assignments.push_back({opt, std::move(*text), origin});
  }
  return out;
}

} // namespace cdpd::config::internal
