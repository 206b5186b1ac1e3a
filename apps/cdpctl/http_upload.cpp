#include "apps/cdpctl/http_upload.hpp"

#include <curl/curl.h>

namespace cdpd::ctl {
namespace {

struct transfer {
  std::FILE* in;
  const upload_progress* progress;
  uint64_t sent = 0;
  std::string body;
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<transfer*>(user);
  auto n = std::fread(buffer, 1, size * count, t->in);
  if (n == 0 && std::ferror(t->in))
    return CURL_READFUNC_ABORT;
  t->sent += n;
  return n;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  static_cast<transfer*>(user)->body.append(data, size * count);
  return size * count;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<transfer*>(user);
  if (*t->progress)
    (*t->progress)(t->sent);
  return 0;
}

} // namespace

upload_result post_stream(const std::string& url, std::FILE* in, int64_t size,
                          const std::vector<std::string>& headers,
                          const upload_progress& progress) {
  upload_result result;
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
  CURL* curl = ready ? curl_easy_init() : nullptr;
  if (!curl) {
    result.error = "libcurl could not be initialised";
    return result;
  }
  transfer t{in, &progress, 0, {}};
  curl_slist* list = nullptr;
  for (const auto& header : headers)
    list = curl_slist_append(list, header.c_str());
  if (size < 0)
    list = curl_slist_append(list, "Transfer-Encoding: chunked");
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(curl, CURLOPT_READDATA, &t);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(size));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  auto code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    result.body = std::move(t.body);
  } else {
    result.error = error[0] ? error : curl_easy_strerror(code);
    // The server may have answered before the body was complete (e.g. a
    // 4xx that ends the upload); its answer says more than the broken pipe.
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status > 0 && !t.body.empty()) {
      result.status = status;
      result.body = std::move(t.body);
    }
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return result;
}

} // namespace cdpd::ctl
