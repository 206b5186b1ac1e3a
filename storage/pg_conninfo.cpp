#include "storage/pg_conninfo.hpp"

#include <memory>

#include <libpq-fe.h>

#include "storage/errc.hpp"

namespace cdpd::storage {

namespace {

struct options_deleter {
  void operator()(PQconninfoOption* opts) const { PQconninfoFree(opts); }
};

using options_ptr = std::unique_ptr<PQconninfoOption, options_deleter>;

caf::expected<options_ptr> parse_options(const std::string& conninfo) {
  char* err = nullptr;
  options_ptr opts{PQconninfoParse(conninfo.c_str(), &err)};
  if (!opts) {
    std::string reason = err != nullptr ? err : "out of memory";
    PQfreemem(err);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' '))
      reason.pop_back();
    return make_error(errc::invalid_url,
                      "cannot parse the PostgreSQL connection string: " +
                          reason);
  }
  return opts;
}

} // namespace

caf::expected<pg_target> parse_pg_target(const std::string& conninfo) {
  auto opts = parse_options(conninfo);
  if (!opts)
    return std::move(opts.error());
  pg_target result;
  for (auto* opt = opts->get(); opt->keyword != nullptr; ++opt) {
    if (opt->val == nullptr)
      continue;
    std::string key = opt->keyword;
    if (key == "host")
      result.host = opt->val;
    else if (key == "hostaddr" && result.host.empty())
      result.host = opt->val;
    else if (key == "port")
      result.port = opt->val;
    else if (key == "dbname")
      result.dbname = opt->val;
    else if (key == "user")
      result.user = opt->val;
  }
  return result;
}

std::string describe_pg_target(const std::string& conninfo) {
  auto target = parse_pg_target(conninfo);
  if (!target)
    return "an unparsable connection string";
  std::string text = "host ";
  text += target->host.empty() ? "(local socket)" : target->host;
  text += " port ";
  text += target->port.empty() ? "5432" : target->port;
  if (!target->dbname.empty())
    text += " database " + target->dbname;
  return text;
}

std::string with_pg_param(const std::string& conninfo, const std::string& key,
                          const std::string& value) {
  if (auto opts = parse_options(conninfo)) {
    for (auto* opt = opts->get(); opt->keyword != nullptr; ++opt)
      if (opt->val != nullptr && key == opt->keyword)
        return conninfo;
  }
  bool is_url = conninfo.rfind("postgresql://", 0) == 0 ||
                conninfo.rfind("postgres://", 0) == 0;
  if (!is_url)
    return conninfo.empty() ? key + "=" + value
                            : conninfo + " " + key + "=" + value;
  auto separator = conninfo.find('?') == std::string::npos ? '?' : '&';
  return conninfo + separator + key + "=" + value;
}

} // namespace cdpd::storage
