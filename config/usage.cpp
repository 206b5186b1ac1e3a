#include <cctype>

#include "config/loader.hpp"
#include "config/schema.hpp"
#include "config/sources.hpp"

namespace cdpd::config {

namespace {

constexpr std::string_view header =
    R"(Usage: cdpd [run | migrate | seed] [--config PATH] [--SECTION.KEY=VALUE ...]
            [--dump-config] [-h | --help]

Commands:
  run              start the node (the default)
  migrate          apply the database migrations, then exit
  seed             fill an empty database with demo data, then exit
                   (--customers N --orders M --products P; --force replaces
                   existing data)

Flags:
  --config PATH    read this config file (INI format; or set CDPD_CONFIG)
  --dump-config    print the effective configuration, then exit
  -h, --help       print this help, then exit

Settings come from, lowest to highest precedence: the defaults below, the
config file ([section] then key = value), the environment (CDPD_SECTION_KEY,
e.g. CDPD_HTTP_PORT) and flags (--section.key=VALUE or --section.key VALUE).
Durations need a unit: ms, s, m or h (250ms, 5s, 2m). Sizes are bytes or
take KiB, MiB or GiB (16KiB).

Settings:
)";

std::string placeholder(std::string_view unit) {
  std::string out;
  for (char c : unit)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out.empty() ? "VALUE" : out;
}

} // namespace

std::string usage() {
  const settings defaults;
  std::string out(header);
  for (const auto& opt : options()) {
    out += "  --" + std::string(opt.key) + "=" + placeholder(opt.unit) + "\n";
    out += "      " + std::string(opt.help) + "\n";
    out += "      default " + format_value(opt, opt.get(defaults), true);
    if (auto bounds = bounds_text(opt); !bounds.empty())
      out += "; " + bounds;
    out += "; env " + internal::env_name(opt) + "\n";
  }
  return out;
}

} // namespace cdpd::config
