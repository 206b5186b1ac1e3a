#include "apps/cdpctl/account_commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>

#include "apps/cdpctl/http_json.hpp"

namespace cdpd::ctl {
namespace {

using nlohmann::json;

/// The password from CDPD_PASSWORD, else the first line of standard input
/// (without its line end); nullopt when neither gives one.
std::optional<std::string> read_password() {
  if (const char* env = std::getenv("CDPD_PASSWORD"); env && *env)
    return std::string{env};
  std::string line;
  if (!std::getline(std::cin, line))
    return std::nullopt;
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (line.empty())
    return std::nullopt;
  return line;
}

/// 24 characters from [A-Za-z0-9_-] (144 bits) from /dev/urandom.
std::optional<std::string> generate_password() {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::ifstream random{"/dev/urandom", std::ios::binary};
  std::string bytes(24, '\0');
  if (!random.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    return std::nullopt;
  std::string out;
  for (unsigned char b : bytes)
    out += alphabet[b % 64]; // 64 symbols: every byte maps uniformly
  return out;
}

bool looks_like_id(const std::string& text) {
  if (text.size() != 36)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-'
             : !std::isxdigit(static_cast<unsigned char>(text[i])))
      return false;
  }
  return true;
}

bool is_role(const std::string& role) {
  return role == "viewer" || role == "manager" || role == "admin";
}

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// Every account, following the list's cursor; nullopt after reporting a
/// failure.
std::optional<json> all_accounts(const connection_options& to) {
  json all = json::array();
  std::string cursor;
  for (;;) {
    auto url = to.url + "/api/admin/users?limit=1000";
    auto reply = send_json("GET", url + cursor, nullptr, to.token);
    if (reply.status != 200 || !reply.json.is_array()) {
      report_failure("cdpctl users", to.url, reply);
      return std::nullopt;
    }
    for (auto& account : reply.json)
      all.push_back(std::move(account));
    // A short page is the last one.
    if (reply.json.size() < 1000)
      return all;
    cursor = "&skip=" + std::to_string(all.size());
  }
}

/// The id of an account named by id or email; nullopt after reporting.
std::optional<std::string> resolve(const connection_options& to,
                                   const std::string& id_or_email) {
  if (looks_like_id(id_or_email))
    return id_or_email;
  auto accounts = all_accounts(to);
  if (!accounts)
    return std::nullopt;
  for (const auto& a : *accounts)
    if (lower(a.value("email", "")) == lower(id_or_email))
      return a.value("id", "");
  std::cerr << "cdpctl users: no account has the email " << id_or_email << "\n";
  return std::nullopt;
}

void print_account(const json& a) {
  std::cout << std::left << std::setw(38) << a.value("id", "") << std::setw(32)
            << a.value("email", "") << std::setw(9) << a.value("role", "")
            << std::setw(10)
            << (a.value("active", false) ? "active" : "disabled")
            << (a["last_login_at"].is_string()
                    ? a["last_login_at"].get<std::string>()
                    : std::string{"never"})
            << "\n";
}

int users_list(const connection_options& to) {
  auto accounts = all_accounts(to);
  if (!accounts)
    return 1;
  std::cout << std::left << std::setw(38) << "ID" << std::setw(32) << "EMAIL"
            << std::setw(9) << "ROLE" << std::setw(10) << "STATE"
            << "LAST LOGIN\n";
  for (const auto& a : *accounts)
    print_account(a);
  return 0;
}

int users_add(const connection_options& to, const std::string& email,
              const std::string& role, bool generate) {
  if (!is_role(role)) {
    std::cerr << "cdpctl users add: unknown role \"" << role
              << "\"; expected viewer, manager or admin\n";
    return 2;
  }
  auto password = generate ? generate_password() : read_password();
  if (!password) {
    std::cerr << "cdpctl users add: no password: set CDPD_PASSWORD, write it "
                 "on standard input, or pass --generate\n";
    return 2;
  }
  auto reply = send_json(
      "POST", to.url + "/api/admin/users",
      {{"email", email}, {"password", *password}, {"role", role}}, to.token);
  if (reply.status != 201) {
    report_failure("cdpctl users add", to.url, reply);
    return 1;
  }
  print_account(reply.json);
  if (generate)
    std::cout << "password: " << *password << "\n";
  return 0;
}

int users_change(const connection_options& to, const std::string& who,
                 const std::string& target, const json& changes, bool remove) {
  auto id = resolve(to, target);
  if (!id)
    return 1;
  auto url = to.url + "/api/admin/users/" + *id;
  auto reply = remove ? send_json("DELETE", url, nullptr, to.token)
                      : send_json("PUT", url, changes, to.token);
  if (reply.status != (remove ? 204 : 200)) {
    report_failure(who, to.url, reply);
    return 1;
  }
  if (remove)
    std::cout << "disabled " << target << "\n";
  else
    print_account(reply.json);
  return 0;
}

constexpr const char* users_usage =
    "usage: cdpctl users list\n"
    "       cdpctl users add EMAIL ROLE [--generate]\n"
    "       cdpctl users disable ID_OR_EMAIL\n"
    "       cdpctl users set-role ID_OR_EMAIL ROLE\n";

} // namespace

int run_login(const connection_options& to,
              const std::vector<std::string>& args) {
  std::string email;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--email" && i + 1 < args.size())
      email = args[++i];
    else if (args[i].rfind("--email=", 0) == 0)
      email = args[i].substr(8);
    else {
      std::cerr << "cdpctl login: unexpected argument \"" << args[i]
                << "\"\nusage: cdpctl login --email EMAIL\n";
      return 2;
    }
  }
  if (email.empty()) {
    std::cerr << "usage: cdpctl login --email EMAIL (password from "
                 "CDPD_PASSWORD or standard input; CDPD_NEW_PASSWORD replaces "
                 "a generated one)\n";
    return 2;
  }
  auto password = read_password();
  if (!password) {
    std::cerr << "cdpctl login: no password: set CDPD_PASSWORD or write it "
                 "on standard input\n";
    return 2;
  }
  nlohmann::json body{{"email", email}, {"password", *password}};
  // A generated first password must be replaced at its first login.
  if (const char* next = std::getenv("CDPD_NEW_PASSWORD"); next && *next)
    body["new_password"] = next;
  auto reply = send_json("POST", to.url + "/api/auth/login", body, "");
  if (reply.status != 200 || !reply.json.is_object() ||
      !reply.json.contains("access_token")) {
    if (reply.status == 401)
      std::cerr << "cdpctl login: wrong email or password\n";
    else if (reply.status == 403 &&
             reply.json.value("type", "").ends_with("password-change-required"))
      std::cerr << "cdpctl login: this password was generated and must be "
                   "changed first: set CDPD_NEW_PASSWORD to a new password "
                   "(at least 12 characters) and log in again\n";
    else
      report_failure("cdpctl login", to.url, reply);
    return 1;
  }
  std::cout << reply.json["access_token"].get<std::string>() << "\n";
  return 0;
}

int run_users(const connection_options& to,
              const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "list")
    return users_list(to);
  if (!args.empty() && args[0] == "add") {
    std::vector<std::string> rest;
    bool generate = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--generate")
        generate = true;
      else
        rest.push_back(args[i]);
    }
    if (rest.size() == 2)
      return users_add(to, rest[0], rest[1], generate);
  }
  if (args.size() == 2 && args[0] == "disable")
    return users_change(to, "cdpctl users disable", args[1], nullptr, true);
  if (args.size() == 3 && args[0] == "set-role") {
    if (!is_role(args[2])) {
      std::cerr << "cdpctl users set-role: unknown role \"" << args[2]
                << "\"; expected viewer, manager or admin\n";
      return 2;
    }
    return users_change(to, "cdpctl users set-role", args[1],
                        {{"role", args[2]}}, false);
  }
  std::cerr << users_usage;
  return 2;
}

} // namespace cdpd::ctl
