// HTTPS: a certificate made for the test, a real TLS client (libcurl) that
// verifies it, HSTS on every answer, and clients that speak plain HTTP or
// never finish their handshake refused without stalling the others.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include <curl/curl.h>
#include <gtest/gtest.h>

#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

namespace fs = std::filesystem;

/// A self-signed certificate for 127.0.0.1 and its key, in a folder removed
/// with the object.
struct test_certificate {
  test_certificate() {
    dir = fs::temp_directory_path() /
          ("cdpd-tls-" + std::to_string(::getpid()) + "-" +
           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    cert = (dir / "cert.pem").string();
    key = (dir / "key.pem").string();
    auto command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
                   "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                   "-keyout '" +
                   key + "' -out '" + cert + "' 2>/dev/null";
    made = std::system(command.c_str()) == 0;
  }
  ~test_certificate() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  fs::path dir;
  std::string cert;
  std::string key;
  bool made = false;
};

/// One HTTPS GET through libcurl, verifying the server against `ca`.
struct tls_reply {
  CURLcode result = CURLE_OK;
  long status = 0;
  std::string headers; ///< in lower case
  std::string body;
};

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

tls_reply https_get(CURL* curl, uint16_t port, const std::string& path,
                    const std::string& ca) {
  tls_reply reply;
  auto url = "https://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  reply.result = curl_easy_perform(curl);
  for (auto& c : reply.headers)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

class http_tls : public http_server_fixture {
protected:
  void SetUp() override {
    ASSERT_TRUE(certificate.made) << "openssl could not make a certificate";
    auto settings = test_settings();
    settings.read_timeout = 1s;
    settings.tls_cert = certificate.cert;
    settings.tls_key = certificate.key;
    start(settings);
    curl = curl_easy_init();
    ASSERT_NE(curl, nullptr);
  }
  void TearDown() override { curl_easy_cleanup(curl); }

  test_certificate certificate;
  CURL* curl = nullptr;
};

TEST_F(http_tls, serves_https_with_hsts_and_keeps_the_connection) {
  for (int i = 0; i < 3; ++i) {
    auto reply = https_get(curl, port, "/ping", certificate.cert);
    ASSERT_EQ(reply.result, CURLE_OK) << curl_easy_strerror(reply.result);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, R"({"pong":true})");
    EXPECT_NE(reply.headers.find("strict-transport-security: max-age="),
              std::string::npos)
        << reply.headers;
    EXPECT_NE(reply.headers.find("x-content-type-options: nosniff"),
              std::string::npos);
  }
  long connects = -1;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  EXPECT_EQ(connects, 0) << "the last request should reuse the connection";
}

TEST_F(http_tls, a_client_that_distrusts_the_certificate_gets_nothing) {
  test_certificate other;
  ASSERT_TRUE(other.made);
  auto reply = https_get(curl, port, "/ping", other.cert);
  EXPECT_EQ(reply.result, CURLE_PEER_FAILED_VERIFICATION)
      << curl_easy_strerror(reply.result);
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(http_tls, plain_http_and_silent_clients_are_closed_others_served) {
  raw_connection plain{port};
  ASSERT_TRUE(plain.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(plain.closed_by_peer(5s));
  EXPECT_EQ(plain.pending_bytes() > 0 && plain.read_reply(10ms).has_value(),
            false)
      << "no HTTP answer goes out in clear text";

  // Connected, no handshake: closed after http.read-timeout (1 s here),
  // while a real client is served meanwhile.
  raw_connection silent{port};
  auto reply = https_get(curl, port, "/ping", certificate.cert);
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(silent.closed_by_peer(5s));
}

TEST(http_tls_settings, unusable_files_fail_start_with_the_option_named) {
  test_certificate certificate;
  test_certificate other;
  ASSERT_TRUE(certificate.made && other.made);
  struct bad_case {
    std::string cert, key, option;
  };
  for (const auto& c :
       {bad_case{"/nonexistent/cert.pem", certificate.key, "http.tls-cert"},
        bad_case{certificate.cert, "/nonexistent/key.pem", "http.tls-key"},
        bad_case{certificate.cert, other.key, "http.tls-key"},
        bad_case{certificate.key, certificate.key, "http.tls-cert"}}) {
    auto settings = test_settings();
    settings.tls_cert = c.cert;
    settings.tls_key = c.key;
    net::http_server server{settings, nullptr, nullptr};
    auto started = server.start();
    ASSERT_FALSE(started) << c.cert << " " << c.key;
    auto text = caf::to_string(started.error());
    EXPECT_NE(text.find(c.option), std::string::npos) << text;
  }
}

} // namespace
} // namespace cdpd::test
