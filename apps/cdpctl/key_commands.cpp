#include "apps/cdpctl/key_commands.hpp"

#include <iostream>

#include "apps/cdpctl/http_json.hpp"

namespace cdpd::ctl {

namespace {

using nlohmann::json;

std::string text_of(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "-";
}

int keys_show(const connection_options& to) {
  auto url = to.url + "/api/admin/token-keys";
  auto reply = send_json("GET", url, nullptr, to.token);
  if (reply.status != 200) {
    report_failure("cdpctl keys show", to.url, reply);
    return 1;
  }
  std::cout << "source:   " << text_of(reply.json, "source") << "\n"
            << "signing:  " << text_of(reply.json, "signing") << "\n";
  for (const auto& kid : reply.json.value("accepted", json::array()))
    std::cout << "accepted: " << kid.get<std::string>() << "\n";
  return 0;
}

int keys_rotate(const connection_options& to, bool now) {
  auto url = to.url + "/api/admin/token-keys/rotate";
  auto reply = send_json("POST", url, json{{"immediate", now}}, to.token);
  if (reply.status != 200) {
    report_failure("cdpctl keys rotate", to.url, reply);
    return 1;
  }
  const auto& body = reply.json;
  std::cout << "new key " << text_of(body, "new_key") << " signs from "
            << text_of(body, "active_from") << "\n";
  if (body.value("previous_key", json{}).is_string())
    std::cout << "key " << text_of(body, "previous_key")
              << " stays accepted until "
              << text_of(body, "previous_accepted_until") << "\n";
  else
    std::cout << "no previous key is accepted: every earlier session ended\n";
  return 0;
}

} // namespace

int run_keys(const connection_options& to,
             const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "show")
    return keys_show(to);
  if (!args.empty() && args[0] == "rotate" &&
      (args.size() == 1 || (args.size() == 2 && args[1] == "--now")))
    return keys_rotate(to, args.size() == 2);
  std::cerr << "usage: cdpctl keys show | cdpctl keys rotate [--now]\n";
  return 2;
}

} // namespace cdpd::ctl
