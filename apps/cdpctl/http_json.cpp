#include "apps/cdpctl/http_json.hpp"

#include <iostream>

#include <curl/curl.h>

namespace cdpd::ctl {
namespace {

size_t collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

} // namespace

json_reply send_json(const std::string& method, const std::string& url,
                     const nlohmann::json& body, const std::string& token) {
  json_reply reply;
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
  CURL* curl = ready ? curl_easy_init() : nullptr;
  if (!curl) {
    reply.error = "libcurl could not be initialised";
    return reply;
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  std::string text;
  if (!body.is_null()) {
    text = body.dump();
    headers = curl_slist_append(headers, "Content-Type: application/json");
  }
  std::string authorization = "Authorization: Bearer " + token;
  if (!token.empty())
    headers = curl_slist_append(headers, authorization.c_str());
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.is_null()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(text.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  auto code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  } else {
    reply.error = error[0] ? error : curl_easy_strerror(code);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

std::string detail_of(const json_reply& reply) {
  if (!reply.json.is_object() || !reply.json.contains("detail"))
    return reply.body;
  const auto& detail = reply.json["detail"];
  if (detail.is_string())
    return detail.get<std::string>();
  if (!detail.is_array())
    return detail.dump();
  // Validation problems: "body.password: ensure this value has ...".
  std::string out;
  for (const auto& issue : detail) {
    if (!out.empty())
      out += "; ";
    std::string where;
    for (const auto& part : issue.value("loc", nlohmann::json::array()))
      where += (where.empty() ? "" : ".") +
               (part.is_string() ? part.get<std::string>() : part.dump());
    out += where + ": " + issue.value("msg", std::string{});
  }
  return out;
}

void report_failure(const std::string& who, const std::string& url,
                    const json_reply& reply) {
  if (reply.status == 0) {
    std::cerr << who << ": " << url << ": " << reply.error
              << " (is cdpd running there? set --url or CDPD_URL)\n";
    return;
  }
  std::cerr << who << ": HTTP " << reply.status << ": " << detail_of(reply)
            << "\n";
  if (reply.status == 401)
    std::cerr << who
              << ": not logged in, or the token expired: get one with "
                 "`cdpctl login --email EMAIL` and pass it with --token or "
                 "CDPD_TOKEN\n";
  else if (reply.status == 403)
    std::cerr << who
              << ": permission denied: this needs a token of an "
                 "account (or API key) with a higher role\n";
}

} // namespace cdpd::ctl
