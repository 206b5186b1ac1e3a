#include "net/http/static_site.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

#include <caf/make_message.hpp>
#include <caf/sec.hpp>
#include <openssl/evp.h>

#include "config/text.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view option_name = "http.static-dir";
constexpr std::string_view index_name = "index.html";
constexpr std::string_view octet_stream = "application/octet-stream";

// Paths the server answers itself; a missing route below them must stay the
// server's JSON 404, never the app's index.html.
constexpr std::array<std::string_view, 6> server_prefixes = {
    "/api", "/admin", "/health", "/metrics", "/u", "/t"};

struct type_entry {
  std::string_view extension;
  std::string_view content_type;
};

constexpr type_entry content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"webmanifest", "application/manifest+json"},
    {"xml", "application/xml"},
};

caf::error load_error(std::string what) {
  return caf::make_error(caf::sec::invalid_argument,
                         std::string{option_name} + ": " + std::move(what));
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view extension_of(std::string_view name) {
  auto slash = name.rfind('/');
  if (slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos)
    return {};
  return name.substr(dot + 1);
}

bool is_hash_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string strong_etag(std::string_view content) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(content.data(), content.size(), digest.data(), &length,
             EVP_sha256(), nullptr);
  // 128 bits of SHA-256 tell files apart well enough for a validator.
  constexpr char hex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (unsigned int i = 0; i < std::min(length, 16u); ++i) {
    tag += hex[digest[i] >> 4];
    tag += hex[digest[i] & 0xf];
  }
  tag += '"';
  return tag;
}

bool is_inside(const fs::path& root, const fs::path& target) {
  auto [root_end, target_at] =
      std::mismatch(root.begin(), root.end(), target.begin(), target.end());
  return root_end == root.end();
}

bool hidden(const fs::path& p) {
  auto name = p.filename().native();
  return !name.empty() && name.front() == '.';
}

bool has_server_prefix(std::string_view path) {
  for (auto prefix : server_prefixes)
    if (path.substr(0, prefix.size()) == prefix &&
        (path.size() == prefix.size() || path[prefix.size()] == '/'))
      return true;
  return false;
}

// If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ is ignored.
bool none_match_hits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = config::trim(header.substr(0, comma));
    if (item == "*")
      return true;
    if (item.substr(0, 2) == "W/")
      item.remove_prefix(2);
    if (item == etag)
      return true;
    if (comma == std::string_view::npos)
      break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

http_response not_found(const http_request& request) {
  auto response =
      problem(404, "no route for " + request.method + " " + request.path);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

caf::expected<std::string> read_whole(const fs::path& p, std::size_t size) {
  std::ifstream in{p, std::ios::binary};
  std::string data(size, '\0');
  if (!in || !in.read(data.data(), static_cast<std::streamsize>(size)))
    return load_error("cannot read '" + p.string() + "'");
  return data;
}

} // namespace

std::string_view static_site::content_type_for(std::string_view name) {
  auto extension = extension_of(name);
  for (const auto& entry : content_types)
    if (iequal(entry.extension, extension))
      return entry.content_type;
  return octet_stream;
}

bool static_site::is_hashed_asset(std::string_view name) {
  auto slash = name.rfind('/');
  if (slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos)
    return false;
  auto stem = name.substr(0, dot);
  // The hash runs back from the extension; any '-' inside that run with 8 or
  // more hash characters after it marks the name as hashed.
  auto run = stem.size();
  while (run > 0 && is_hash_char(stem[run - 1]))
    --run;
  for (auto i = run; i < stem.size(); ++i)
    if (stem[i] == '-' && i > 0 && stem.size() - i - 1 >= 8)
      return true;
  return false;
}

std::string static_site::describe(const caf::error& err) {
  const auto& context = err.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return caf::to_string(err);
}

caf::expected<std::shared_ptr<const static_site>>
static_site::load(const std::string& dir) {
  std::error_code ec;
  if (dir.empty())
    return load_error("no folder given");
  auto status = fs::status(dir, ec);
  if (ec || !fs::exists(status))
    return load_error("'" + dir + "' does not exist");
  if (!fs::is_directory(status))
    return load_error("'" + dir + "' is not a folder");
  auto root = fs::canonical(dir, ec);
  if (ec)
    return load_error("cannot resolve '" + dir + "': " + ec.message());

  std::shared_ptr<static_site> site{new static_site};
  fs::recursive_directory_iterator it{root, fs::directory_options::none, ec};
  if (ec)
    return load_error("cannot list '" + dir + "': " + ec.message());
  for (fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec)
      return load_error("cannot list '" + dir + "': " + ec.message());
    const auto& entry = *it;
    if (hidden(entry.path())) {
      it.disable_recursion_pending();
      continue;
    }
    fs::path source = entry.path();
    if (entry.is_symlink(ec)) {
      source = fs::canonical(entry.path(), ec);
      if (ec || !is_inside(root, source) || hidden(source))
        continue;
    }
    if (!fs::is_regular_file(source, ec))
      continue;
    auto size = fs::file_size(source, ec);
    if (ec)
      return load_error("cannot read '" + source.string() +
                        "': " + ec.message());
    if (size > max_total_bytes - site->total_bytes_)
      return load_error("'" + dir + "' holds more than " +
                        std::to_string(max_total_bytes >> 20) +
                        " MiB of files");
    auto body = read_whole(source, size);
    if (!body)
      return std::move(body.error());
    auto key = entry.path().lexically_relative(root).generic_string();
    file f;
    f.content_type = content_type_for(key);
    f.etag = strong_etag(*body);
    f.immutable = key != index_name && is_hashed_asset(key);
    f.body = std::move(*body);
    site->total_bytes_ += size;
    site->files_.emplace(std::move(key), std::move(f));
  }
  if (site->files_.count(std::string{index_name}) == 0)
    return load_error("'" + dir + "' holds no index.html");
  return std::shared_ptr<const static_site>{std::move(site)};
}

const static_site::file* static_site::find(const std::string& key) const {
  auto i = files_.find(key);
  return i == files_.end() ? nullptr : &i->second;
}

http_response static_site::respond(const file& f,
                                   const http_request& request) const {
  http_response response;
  response.headers.emplace_back("ETag", f.etag);
  response.headers.emplace_back(
      "Cache-Control",
      std::string{f.immutable ? immutable_cache : revalidate_cache});
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (f.content_type.rfind("text/html", 0) == 0)
    response.headers.emplace_back("Content-Security-Policy",
                                  std::string{page_security_policy});
  auto if_none_match = request.header("If-None-Match");
  if (!if_none_match.empty() && none_match_hits(if_none_match, f.etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.content_type = std::string{f.content_type};
  response.body = f.body;
  return response;
}

http_response static_site::serve(const http_request& request) const {
  std::string_view path = request.path;
  if (has_server_prefix(path) || path.find('\0') != std::string_view::npos)
    return not_found(request);
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto segment = path.substr(0, slash);
    if (segment == "..")
      return not_found(request);
    if (!segment.empty() && segment != ".")
      segments.push_back(segment);
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  std::string key;
  for (auto segment : segments) {
    if (!key.empty())
      key += '/';
    key += segment;
  }
  const auto& index = *find(std::string{index_name});
  if (key.empty())
    return respond(index, request);
  if (const auto* f = find(key))
    return respond(*f, request);
  if (const auto* f = find(key + "/" + std::string{index_name}))
    return respond(*f, request);
  // A name with an extension asks for a file; anything else is a route of
  // the app, which index.html renders.
  if (segments.back().find('.') != std::string_view::npos)
    return not_found(request);
  return respond(index, request);
}

handler static_site_handler(std::shared_ptr<const static_site> site) {
  return [site = std::move(site)](http_request request, responder respond) {
    respond(site->serve(request));
  };
}

} // namespace cdpd::net
