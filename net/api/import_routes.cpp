#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/domain/import_work.hpp"
#include "net/api/db_call.hpp"
#include "net/api/import_lines.hpp"
#include "net/api/resource_routes.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api {
namespace {

using nlohmann::json;
using storage::import_line_result;
using storage::import_outcome;

/// A line longer than this is reported and skipped rather than buffered.
constexpr std::size_t max_line_bytes = 1024 * 1024;

/// How often a long import logs its progress, in lines.
constexpr int64_t progress_every = 100'000;

/// What the two import kinds differ in: the row type, its parser and its
/// db work.
struct customer_kind {
  using row = storage::customer_import_row;
  static constexpr const char* name = "customers";
  static auto parse(std::string_view line) { return parse_customer_line(line); }
  static auto work(std::vector<row> rows) {
    return actors::domain::import_customers(std::move(rows));
  }
};

struct order_kind {
  using row = storage::order_import_row;
  static constexpr const char* name = "orders";
  static auto parse(std::string_view line) { return parse_order_line(line); }
  static auto work(std::vector<row> rows) {
    return actors::domain::import_orders(std::move(rows));
  }
};

/// One import request. Splits the streamed body into lines, validates each,
/// writes the good ones in batches of import.batch-lines (one transaction
/// each) and answers with the counts and the bad lines. The body is read
/// on only when the batches so far are written, so memory stays bounded
/// whatever the body's size.
///
/// The sink runs on the connection's strand and the batch replies on actor
/// threads, never both at once (the server waits for `more`), but an abort
/// can arrive while a batch is being written: a mutex keeps that simple.
template <class Kind>
class import_job : public std::enable_shared_from_this<import_job<Kind>> {
public:
  import_job(caf::actor_system& sys, config::import_settings settings,
             responder reply)
      : sys_(sys), settings_(settings), reply_(std::move(reply)) {}

  void on_chunk(body_chunk chunk, std::function<void()> more) {
    std::unique_lock<std::mutex> guard{mutex_};
    if (chunk.aborted) {
      aborted_ = true;
      spdlog::warn("import {}: the client went away after {} lines; the "
                   "batches written so far stay",
                   Kind::name, line_);
      return;
    }
    more_ = std::move(more);
    take(chunk.data);
    if (chunk.last) {
      last_ = true;
      if (!carry_.empty() || skipping_)
        end_line();
    }
    pump(guard);
  }

private:
  void take(std::string_view data) {
    while (!data.empty()) {
      auto newline = data.find('\n');
      auto piece = data.substr(0, newline);
      if (!skipping_) {
        if (carry_.size() + piece.size() > max_line_bytes) {
          skipping_ = true;
          carry_.clear();
        } else {
          carry_.append(piece);
        }
      }
      if (newline == std::string_view::npos)
        return;
      end_line();
      data.remove_prefix(newline + 1);
    }
  }

  void end_line() {
    ++line_;
    if (skipping_) {
      skipping_ = false;
      bad_line(line_,
               "line longer than " + std::to_string(max_line_bytes) + " bytes");
    } else {
      std::string_view line = carry_;
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      if (!is_blank_line(line)) {
        ++lines_;
        auto parsed = Kind::parse(line);
        if (auto* row = std::get_if<typename Kind::row>(&parsed)) {
          rows_.push_back(std::move(*row));
          row_lines_.push_back(line_);
        } else {
          bad_line(line_, std::get<line_error>(parsed).message);
        }
      }
    }
    carry_.clear();
    if (line_ % progress_every == 0)
      spdlog::info("import {}: {} lines read, {:.0f} lines/s", Kind::name,
                   line_, line_ / elapsed());
  }

  void bad_line(int64_t line, std::string message) {
    ++failed_;
    if (errors_.size() < static_cast<std::size_t>(settings_.max_errors))
      errors_.push_back({{"line", line}, {"error", std::move(message)}});
  }

  /// Writes the next full batch (or the rest, at the end), asks for more
  /// body, or answers: whichever is due.
  void pump(std::unique_lock<std::mutex>& guard) {
    auto batch = static_cast<std::size_t>(settings_.batch_lines);
    if (rows_.size() >= batch || (last_ && !rows_.empty())) {
      write_batch(std::min(batch, rows_.size()));
      return;
    }
    if (last_) {
      auto response = summary();
      guard.unlock();
      reply_(std::move(response));
      return;
    }
    auto more = std::move(more_);
    more_ = nullptr;
    guard.unlock();
    if (more)
      more();
  }

  void write_batch(std::size_t count) {
    std::vector<typename Kind::row> batch(
        std::make_move_iterator(rows_.begin()),
        std::make_move_iterator(rows_.begin() + count));
    rows_.erase(rows_.begin(), rows_.begin() + count);
    std::vector<int64_t> lines(row_lines_.begin(), row_lines_.begin() + count);
    row_lines_.erase(row_lines_.begin(), row_lines_.begin() + count);
    auto self = this->shared_from_this();
    run_db(
        sys_, db_role::write, Kind::work(std::move(batch)),
        [self, lines](std::vector<import_line_result>& results) {
          self->on_written(lines, results);
        },
        [self, lines](caf::error& err) { self->on_failed(lines, err); });
  }

  void on_written(const std::vector<int64_t>& lines,
                  const std::vector<import_line_result>& results) {
    std::unique_lock<std::mutex> guard{mutex_};
    for (std::size_t i = 0; i < results.size() && i < lines.size(); ++i) {
      switch (results[i].outcome) {
      case import_outcome::inserted:
        ++inserted_;
        break;
      case import_outcome::updated:
        ++updated_;
        break;
      case import_outcome::unchanged:
        ++unchanged_;
        break;
      case import_outcome::rejected:
        bad_line(lines[i], results[i].reason);
        break;
      }
    }
    if (aborted_)
      return;
    pump(guard);
  }

  /// A batch failed as a whole (database down, timeout): nothing of it was
  /// written, earlier batches were. Re-sending the file is safe.
  void on_failed(const std::vector<int64_t>& lines, const caf::error& err) {
    std::unique_lock<std::mutex> guard{mutex_};
    spdlog::error("import {}: batch from line {} failed: {}", Kind::name,
                  lines.front(), caf::to_string(err));
    if (aborted_)
      return;
    auto response = problem_from_error(err);
    auto body = json::parse(response.body, nullptr, false);
    if (body.is_object()) {
      body["detail"] =
          body.value("detail", std::string{}) + "; lines before " +
          std::to_string(lines.front()) +
          " were imported, the rest were not: re-sending the whole file is "
          "safe, since an import upserts by external_id";
      body["imported_before_line"] = lines.front();
      body["summary"] = counts();
      response.body = body.dump();
    }
    guard.unlock();
    reply_(std::move(response));
  }

  json counts() const {
    return {
        {"kind", Kind::name},
        {"lines", lines_},
        {"inserted", inserted_},
        {"updated", updated_},
        {"unchanged", unchanged_},
        {"failed", failed_},
        {"errors", errors_},
        {"errors_truncated", failed_ > static_cast<int64_t>(errors_.size())},
        {"seconds", elapsed()}};
  }

  http_response summary() const {
    spdlog::info("import {}: {} lines, {} inserted, {} updated, {} "
                 "unchanged, {} failed in {:.2f} s",
                 Kind::name, lines_, inserted_, updated_, unchanged_, failed_,
                 elapsed());
    return json_response(200, counts());
  }

  double elapsed() const {
    std::chrono::duration<double> d = std::chrono::steady_clock::now() - start_;
    return d.count();
  }

  caf::actor_system& sys_;
  const config::import_settings settings_;
  const responder reply_;
  const std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::function<void()> more_;
  std::string carry_;     ///< the line being read
  bool skipping_ = false; ///< the line being read is too long
  bool last_ = false;
  bool aborted_ = false;
  int64_t line_ = 0;  ///< lines seen, blank ones included (numbering)
  int64_t lines_ = 0; ///< non-blank lines
  int64_t inserted_ = 0;
  int64_t updated_ = 0;
  int64_t unchanged_ = 0;
  int64_t failed_ = 0;
  json errors_ = json::array();
  std::vector<typename Kind::row> rows_; ///< parsed, not yet written
  std::vector<int64_t> row_lines_;       ///< their line numbers
};

/// Form uploads are the usual mistake: say how to send the file instead.
bool wrong_content_type(const http_request& request) {
  auto type = request.header("content-type");
  return type.rfind("multipart/", 0) == 0 ||
         type.rfind("application/x-www-form-urlencoded", 0) == 0;
}

template <class Kind>
stream_handler import_handler(caf::actor_system& sys,
                              config::import_settings settings) {
  return [&sys, settings](http_request request, responder reply) -> body_sink {
    if (wrong_content_type(request)) {
      reply(problem(415,
                    "send the NDJSON file as the raw request body "
                    "(Content-Type: application/x-ndjson), not as a form",
                    "unsupported-media-type"));
      return nullptr;
    }
    auto job =
        std::make_shared<import_job<Kind>>(sys, settings, std::move(reply));
    return [job](body_chunk chunk, std::function<void()> more) {
      job->on_chunk(std::move(chunk), std::move(more));
    };
  };
}

} // namespace

void add_import_routes(router& routes, caf::actor_system& sys,
                       const config::import_settings& settings) {
  routes.add_stream("POST", "/api/import/customers", access::manager,
                    import_handler<customer_kind>(sys, settings));
  routes.add_stream("POST", "/api/import/orders", access::manager,
                    import_handler<order_kind>(sys, settings));
}

} // namespace cdpd::net::api
