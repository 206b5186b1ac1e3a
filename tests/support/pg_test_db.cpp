#include "tests/support/pg_test_db.hpp"

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <random>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "tests/support/test_env.hpp"

namespace cdpd::test {

namespace {

std::string unique_name() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "cdpd_test_" + std::to_string(::getpid()) + "_" +
         std::to_string(counter++) + "_" + std::to_string(rd() % 1000000);
}

} // namespace

pg_test_db::pg_test_db() : name_(unique_name()) {
  pqxx::connection conn{pg_conninfo()};
  pqxx::nontransaction tx{conn};
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  // Rebuilt from what the connection used, so URL-style settings work too.
  std::string host = conn.hostname() != nullptr ? conn.hostname() : "";
  std::string port = conn.port() != nullptr ? conn.port() : "5432";
  std::string user = conn.username() != nullptr ? conn.username() : "";
  conninfo_ =
      "host=" + host + " port=" + port + " user=" + user + " dbname=" + name_;
  url_ = "postgresql://" + user + "@" + host + ":" + port + "/" + name_;
}

pg_test_db::~pg_test_db() {
  try {
    pqxx::connection conn{pg_conninfo()};
    pqxx::nontransaction tx{conn};
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) +
            " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "pg_test_db: cannot drop " << name_ << ": " << e.what()
              << '\n';
  }
}

} // namespace cdpd::test
