#include "config/loader.hpp"
#include "config/schema.hpp"

namespace cdpd::config {

std::string dump(const settings& s) {
  std::string out = "# cdpd effective configuration; passwords are masked\n";
  std::string_view section;
  for (const auto& opt : options()) {
    if (opt.section() != section) {
      section = opt.section();
      out += "\n[" + std::string(section) + "]\n";
    }
    out += std::string(opt.name()) + " = " +
           format_value(opt, opt.get(s), true) + "  # " + std::string(opt.unit);
    if (auto bounds = bounds_text(opt); !bounds.empty())
      out += ", " + bounds;
    out += '\n';
  }
  return out;
}

} // namespace cdpd::config
