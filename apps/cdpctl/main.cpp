#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "apps/cdpctl/account_commands.hpp"
#include "apps/cdpctl/import_command.hpp"
#include "apps/cdpctl/key_commands.hpp"

namespace {

constexpr const char* usage =
    R"(usage: cdpctl [--url URL] [--token TOKEN] COMMAND ...

Commands:
  import customers FILE   upsert customers from NDJSON (FILE or - for stdin)
  import orders FILE      upsert orders from NDJSON
  login --email EMAIL     print an access token (for CDPD_TOKEN)
  users list              list operator accounts (admin)
  users add EMAIL ROLE [--generate]
                          create an account; ROLE is viewer, manager or
                          admin; --generate makes and prints a password
  users disable ID_OR_EMAIL
                          disable an account and end its sessions
  users set-role ID_OR_EMAIL ROLE
                          change an account's role
  keys show               the access-token key signing and those accepted
  keys rotate [--now]     a new access-token key; the current one stays
                          accepted until its tokens expire (--now: dropped
                          at once, every session ends)

Passwords are read from $CDPD_PASSWORD, else from the first line of
standard input.

Options:
  --url URL      cdpd's base URL (default: $CDPD_URL, else http://127.0.0.1:8000)
  --token TOKEN  bearer token (default: $CDPD_TOKEN)

Exit codes: 0 done, 1 failed, 2 usage error, 3 some lines were refused
(import).
)";

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string{value} : std::move(fallback);
}

} // namespace

int main(int argc, char** argv) {
  cdpd::ctl::connection_options to{env_or("CDPD_URL", "http://127.0.0.1:8000"),
                                   env_or("CDPD_TOKEN", "")};
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (arg.size() > flag.size() &&
          arg.compare(0, flag.size() + 1, flag + "=") == 0)
        return arg.substr(flag.size() + 1);
      if (i + 1 < argc)
        return argv[++i];
      std::cerr << "cdpctl: " << flag << " needs a value\n" << usage;
      std::exit(2);
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      return 0;
    }
    if (arg.rfind("--url", 0) == 0)
      to.url = value("--url");
    else if (arg.rfind("--token", 0) == 0)
      to.token = value("--token");
    else
      args.push_back(arg);
  }
  while (!to.url.empty() && to.url.back() == '/')
    to.url.pop_back();
  if (args.size() == 3 && args[0] == "import")
    return cdpd::ctl::run_import(to, args[1], args[2]);
  if (!args.empty() && args[0] == "login")
    return cdpd::ctl::run_login(to, {args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "users")
    return cdpd::ctl::run_users(to, {args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "keys")
    return cdpd::ctl::run_keys(to, {args.begin() + 1, args.end()});
  std::cerr << usage;
  return 2;
}
