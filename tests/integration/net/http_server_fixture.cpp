#include "tests/integration/net/http_server_fixture.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <prometheus/text_serializer.h>

#include "net/http/problem.hpp"

namespace cdpd::test {

config::http_settings test_settings() {
  config::http_settings settings;
  settings.address = "127.0.0.1";
  settings.port = 0;
  settings.io_threads = 2;
  settings.max_header_bytes = 4096;
  settings.max_body_bytes = 1024;
  settings.read_timeout = 10s;
  settings.max_connections = 16;
  return settings;
}

http_server_fixture::http_server_fixture()
    : routes(std::make_shared<net::router>()) {
  using net::http_request;
  using net::http_response;
  using net::responder;
  routes->add("GET", "/ping", net::access::anyone,
              [](http_request, responder reply) {
                reply(net::json_response(200, {{"pong", true}}));
              });
  routes->add("POST", "/echo", net::access::anyone,
              [](http_request request, responder reply) {
                http_response response;
                response.content_type = request.header("content-type");
                response.body = std::move(request.body);
                reply(std::move(response));
              });
  routes->add("GET", "/users/{id}", net::access::anyone,
              [](http_request request, responder reply) {
                reply(net::json_response(200, {{"id", request.params.at("id")},
                                               {"path", request.path},
                                               {"query", request.query},
                                               {"route", request.route}}));
              });
  routes->add("GET", "/request-id", net::access::anyone,
              [](http_request request, responder reply) {
                http_response response;
                response.content_type = "text/plain";
                response.body = request.request_id;
                reply(std::move(response));
              });
  routes->add("GET", "/slow", net::access::anyone,
              [this](http_request, responder reply) {
                std::lock_guard<std::mutex> guard{mutex_};
                workers_.emplace_back([reply] {
                  std::this_thread::sleep_for(
                      200ms); // the behaviour under test
                  http_response response;
                  response.content_type = "text/plain";
                  response.body = "slow";
                  reply(std::move(response));
                });
              });
  routes->add("GET", "/hold", net::access::anyone,
              [this](http_request, responder reply) {
                std::lock_guard<std::mutex> guard{mutex_};
                held_.push_back(std::move(reply));
                changed_.notify_all();
              });
  routes->add("GET", "/throw", net::access::anyone,
              [](http_request, responder) {
                throw std::runtime_error("handler failure on purpose");
              });
  routes->add("GET", "/drop", net::access::anyone,
              [](http_request, responder) {});
  routes->add("GET", "/twice", net::access::anyone,
              [](http_request, responder reply) {
                http_response first;
                first.content_type = "text/plain";
                first.body = "first";
                reply(first);
                http_response second = first;
                second.body = "second";
                reply(second);
              });
}

http_server_fixture::~http_server_fixture() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    workers.swap(workers_);
  }
  for (auto& worker : workers)
    worker.join();
  if (server)
    server->stop();
  // Responders outliving the server must be harmless.
  held_.clear();
  server.reset();
}

void http_server_fixture::start(const config::http_settings& settings) {
  server = std::make_unique<net::http_server>(settings, routes, &registry);
  auto bound = server->start();
  if (!bound)
    throw std::runtime_error("http_server::start failed: " +
                             caf::to_string(bound.error()));
  port = *bound;
}

bool http_server_fixture::wait_held(std::size_t count,
                                    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard{mutex_};
  return changed_.wait_for(guard, timeout,
                           [&] { return held_.size() >= count; });
}

void http_server_fixture::release() {
  std::vector<net::responder> held;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    held.swap(held_);
  }
  for (auto& reply : held) {
    net::http_response response;
    response.content_type = "text/plain";
    response.body = "held";
    reply(std::move(response));
  }
}

std::string http_server_fixture::scrape() {
  return prometheus::TextSerializer{}.Serialize(registry.Collect());
}

} // namespace cdpd::test
