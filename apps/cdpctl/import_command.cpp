#include "apps/cdpctl/import_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "apps/cdpctl/http_upload.hpp"

namespace cdpd::ctl {
namespace {

using steady = std::chrono::steady_clock;

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  return text;
}

/// Progress on standard error: redrawn in place on a terminal, a line every
/// few seconds otherwise (logs).
class progress_line {
public:
  progress_line(std::string kind, int64_t total)
      : kind_(std::move(kind)), total_(total), tty_(isatty(2) != 0) {}

  void update(uint64_t sent) {
    auto now = steady::now();
    auto every =
        tty_ ? std::chrono::milliseconds{250} : std::chrono::milliseconds{5000};
    if (now - last_ < every)
      return;
    last_ = now;
    std::chrono::duration<double> elapsed = now - start_;
    std::string text = "import " + kind_ + ": " + megabytes(sent);
    if (total_ > 0)
      text += " of " + megabytes(static_cast<uint64_t>(total_)) + " (" +
              std::to_string(sent * 100 / static_cast<uint64_t>(total_)) + "%)";
    if (elapsed.count() > 0)
      text += ", " + megabytes(static_cast<uint64_t>(sent / elapsed.count())) +
              "/s";
    if (tty_)
      std::cerr << "\r" << text << "   " << std::flush;
    else
      std::cerr << text << "\n";
    shown_ = true;
  }

  void done() {
    if (tty_ && shown_)
      std::cerr << "\n";
  }

private:
  std::string kind_;
  int64_t total_;
  bool tty_;
  bool shown_ = false;
  steady::time_point start_ = steady::now();
  steady::time_point last_ = start_;
};

} // namespace

int run_import(const connection_options& to, const std::string& kind,
               const std::string& path) {
  if (kind != "customers" && kind != "orders") {
    std::cerr << "cdpctl import: unknown kind \"" << kind
              << "\"; expected customers or orders\n";
    return 2;
  }
  std::FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!in) {
    std::perror(("cdpctl import: " + path).c_str());
    return 1;
  }
  // A regular file has a length; a pipe is sent chunked.
  int64_t size = -1;
  struct stat info {};
  if (fstat(fileno(in), &info) == 0 && S_ISREG(info.st_mode))
    size = static_cast<int64_t>(info.st_size);

  std::vector<std::string> headers{"Content-Type: application/x-ndjson",
                                   "Accept: application/json"};
  if (!to.token.empty())
    headers.push_back("Authorization: Bearer " + to.token);
  progress_line progress{kind, size};
  auto result = post_stream(to.url + "/api/import/" + kind, in, size, headers,
                            [&](uint64_t sent) { progress.update(sent); });
  progress.done();
  if (in != stdin)
    std::fclose(in);

  if (result.status == 0) {
    std::cerr << "cdpctl import: " << to.url << ": " << result.error
              << " (is cdpd running there? set --url or CDPD_URL)\n";
    return 1;
  }
  auto body = nlohmann::json::parse(result.body, nullptr, false);
  if (result.status != 200) {
    std::string detail = body.is_object() && body.contains("detail")
                             ? body["detail"].dump()
                             : result.body;
    std::cerr << "cdpctl import: HTTP " << result.status << ": " << detail
              << "\n";
    return 1;
  }
  std::cout << (body.is_discarded() ? result.body : body.dump(2)) << "\n";
  if (body.is_object() && body.value("failed", 0) > 0)
    return 3;
  return 0;
}

} // namespace cdpd::ctl
