#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "storage/pg_pool.hpp"
#include "tests/support/pg_test_db.hpp"

/// A migrated test database with helpers to build the rows a campaign
/// needs: customers in bulk, a segment, a flow of steps and a campaign.
namespace cdpd::test {

class delivery_test_db {
public:
  /// Creates and migrates the database; throws when either fails.
  delivery_test_db();

  /// The database's URL, for a cdpd process (--postgres.url).
  const std::string& url() const { return db_.url(); }

  /// The open connection of the test itself.
  pqxx::connection& conn() { return conn_; }

  /// A pool on the database, as the dispatchers use it.
  std::shared_ptr<storage::pg_pool> pool(int size = 4);

  /// Inserts `count` customers c<i>@example.org (first name F<i>) in state
  /// `state`; every `opted_out_every`-th one (0: none) has not opted in.
  void add_customers(int count, const std::string& state,
                     int opted_out_every = 0, const std::string& prefix = "c");

  /// A segment of the customers in `state`; returns its id.
  std::string add_segment(const std::string& state);

  /// One flow step: SEND_EMAIL (subject and body) or WAIT (days).
  struct step {
    std::string type;
    std::string subject;
    std::string body;
    int days = 0;
  };

  /// A flow of `steps` on `segment_id`; returns its id.
  std::string add_flow(const std::string& segment_id,
                       const std::vector<step>& steps);

  /// A campaign on the segment and flow with `status`; returns its id.
  std::string add_campaign(const std::string& segment_id,
                           const std::string& flow_id,
                           const std::string& status = "draft");

  /// The first column of the first row of `sql`, as text ("" for NULL).
  std::string scalar(const std::string& sql);

  /// The first column of the first row of `sql` as an integer.
  int64_t count(const std::string& sql);

private:
  pg_test_db db_;
  pqxx::connection conn_;
};

} // namespace cdpd::test
