#include <gtest/gtest.h>

#include "tests/unit/config/load_helpers.hpp"
#include "tests/unit/config/temp_dir.hpp"

namespace cdpd::config {
namespace {

using namespace std::chrono_literals;
using testing::load_fails;
using testing::loaded;

class FileSource : public ::testing::Test {
protected:
  /// Writes `content` as a config file and loads it.
  invocation load_text(std::string_view content) {
    return loaded({"--config", dir_.write("cdpd.ini", content)});
  }

  /// Writes `content` as a config file and returns the load error.
  std::string fail_text(std::string_view content) {
    return load_fails({"--config", dir_.write("cdpd.ini", content)});
  }

  std::string path() const { return dir_.path() + "/cdpd.ini"; }

  test::temp_dir dir_;
};

TEST_F(FileSource, FullExample) {
  auto inv = load_text(R"(# cdpd node
; semicolons start comments too

[http]
address = 0.0.0.0
port = 8080
read-timeout = 15s   # inline comment after whitespace
max-body-bytes = 8MiB ; another

[postgres]
url = "postgresql://cdp:pa#ss@db:5432/cdp"
read-url = host=replica password=a#b
pool-size = 16

[log]
level = debug

[http]
io-threads = 4
)");
  EXPECT_EQ(inv.values.http.address, "0.0.0.0");
  EXPECT_EQ(inv.values.http.port, 8080);
  EXPECT_EQ(inv.values.http.read_timeout, 15s);
  EXPECT_EQ(inv.values.http.max_body_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(inv.values.postgres.url, "postgresql://cdp:pa#ss@db:5432/cdp");
  EXPECT_EQ(inv.values.postgres.read_url, "host=replica password=a#b");
  EXPECT_EQ(inv.values.postgres.pool_size, 16);
  EXPECT_EQ(inv.values.log.level, "debug");
  EXPECT_EQ(inv.values.http.io_threads, 4);
  EXPECT_EQ(inv.config_path, path());
}

TEST_F(FileSource, QuotedStrings) {
  auto inv = load_text("[state]\n"
                       "dir = \"/tmp/a \\\"b\\\" \\\\c # d\"  # comment\n"
                       "[http]\n"
                       "address = \" spaced \"\n"
                       "port = \"81\"\n");
  EXPECT_EQ(inv.values.state.dir, "/tmp/a \"b\" \\c # d");
  EXPECT_EQ(inv.values.http.address, " spaced ");
  EXPECT_EQ(inv.values.http.port, 81);
}

TEST_F(FileSource, EmptyValues) {
  auto inv = load_text("[redis]\nurl =\n[state]\ndir = \"\"\n");
  EXPECT_EQ(inv.values.redis.url, "");
  EXPECT_EQ(inv.values.state.dir, "");
  EXPECT_EQ(fail_text("[http]\nport = # nothing\n"),
            "http.port: \"\" is not an integer (from " + path() + ":2)");
}

TEST_F(FileSource, WindowsLineEndingsAndIndentation) {
  auto inv = load_text("[http]\r\n  port = 82\r\n\t[log] \r\n level=warn");
  EXPECT_EQ(inv.values.http.port, 82);
  EXPECT_EQ(inv.values.log.level, "warn");
}

TEST_F(FileSource, LastValueInTheFileWins) {
  EXPECT_EQ(load_text("[http]\nport = abc\nport = 83\n").values.http.port, 83);
}

TEST_F(FileSource, EmptyFile) {
  EXPECT_EQ(dump(load_text("").values), dump(settings{}));
}

TEST_F(FileSource, UnknownOption) {
  EXPECT_EQ(fail_text("[http]\nport = 1\nprot = 2\n"),
            "http.prot: unknown option (from " + path() + ":3)");
}

TEST_F(FileSource, UnknownSection) {
  EXPECT_EQ(fail_text("# x\n[htp]\nport = 1\n"),
            "[htp]: unknown section (from " + path() + ":2)");
  EXPECT_EQ(fail_text("[]\n"), "[]: unknown section (from " + path() + ":1)");
}

TEST_F(FileSource, OptionBeforeAnySection) {
  EXPECT_EQ(fail_text("port = 1\n"),
            "port: option outside any [section] (from " + path() + ":1)");
}

TEST_F(FileSource, MalformedLines) {
  auto expected = [this](int line) {
    return "malformed line, expected [section], key = value or a comment "
           "(from " +
           path() + ":" + std::to_string(line) + ")";
  };
  EXPECT_EQ(fail_text("[http]\nport 8080\n"), expected(2));
  EXPECT_EQ(fail_text("[http\n"), expected(1));
  EXPECT_EQ(fail_text("[http] port = 1\n"), expected(1));
  EXPECT_EQ(fail_text("[http]\n= 1\n"), expected(2));
  EXPECT_EQ(fail_text("\n\n[http]\npostgres://u:secret@h\n"), expected(4));
  EXPECT_EQ(fail_text("\n\n[http]\npostgres://u:secret@h\n").find("secret"),
            std::string::npos);
}

TEST_F(FileSource, SectionHeaderMayCarryAComment) {
  EXPECT_EQ(load_text("[http] # the API\nport = 84\n").values.http.port, 84);
}

TEST_F(FileSource, BadQuotedValues) {
  EXPECT_EQ(fail_text("[http]\naddress = \"open\n"),
            "http.address: quoted value has no closing quote (from " + path() +
                ":2)");
  EXPECT_EQ(fail_text("[http]\naddress = \"a\\n\"\n"),
            "http.address: only \\\" and \\\\ may follow \\ in a quoted value "
            "(from " +
                path() + ":2)");
  EXPECT_EQ(fail_text("[http]\naddress = \"a\" b\n"),
            "http.address: text after the closing quote (from " + path() +
                ":2)");
}

TEST_F(FileSource, ValueErrorsNameFileAndLine) {
  EXPECT_EQ(fail_text("[postgres]\n\npool-size = 0\n"),
            "postgres.pool-size: 0 is below the minimum 1 (from " + path() +
                ":3)");
  EXPECT_EQ(fail_text("[http]\nread-timeout = 5\n"),
            "http.read-timeout: \"5\" needs a unit (ms, s, m, h) (from " +
                path() + ":2)");
}

TEST_F(FileSource, MissingFile) {
  auto missing = dir_.path() + "/absent.ini";
  EXPECT_EQ(load_fails({"--config", missing}),
            missing + ": cannot open config file (No such file or directory)");
}

TEST_F(FileSource, DirectoryIsNotAFile) {
  auto message = load_fails({"--config", dir_.path()});
  EXPECT_EQ(message.rfind(dir_.path() + ": cannot ", 0), 0u) << message;
}

} // namespace
} // namespace cdpd::config
