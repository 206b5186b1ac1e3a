#include "net/http/router.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <vector>

#include "net/http/uri.hpp"

namespace cdpd::net {

struct router::node {
  struct endpoint {
    handler fn;
    stream_handler stream; ///< set instead of fn for add_stream()
    std::string pattern;
    route_access access;
    std::vector<std::string> param_names; ///< in the order of the segments
  };

  std::map<std::string, std::unique_ptr<node>, std::less<>> literals;
  std::unique_ptr<node> param;
  std::map<std::string, endpoint, std::less<>> methods;

  const endpoint* find(std::string_view method) const {
    if (auto i = methods.find(method); i != methods.end())
      return &i->second;
    if (method == "HEAD")
      if (auto i = methods.find(std::string_view{"GET"}); i != methods.end())
        return &i->second;
    return nullptr;
  }
};

namespace {

std::string_view without_trailing_slash(std::string_view path) {
  if (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  return path;
}

// "/a/b" -> {"a", "b"}; "/" -> {}. The path starts with '/'.
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  path = without_trailing_slash(path);
  if (path.size() <= 1)
    return segments;
  path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      return segments;
    path.remove_prefix(slash + 1);
  }
}

[[noreturn]] void bad_pattern(const std::string& pattern, const char* why) {
  throw std::invalid_argument("route pattern '" + pattern + "': " + why);
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty())
      out += ", ";
    out += item;
  }
  return out;
}

} // namespace

router::router(std::shared_ptr<const route_guard> guard)
    : guard_(std::move(guard)), root_(std::make_unique<node>()) {}

router::router(router&&) noexcept = default;

router& router::operator=(router&&) noexcept = default;

router::~router() = default;

void router::add(std::string method, std::string pattern, route_access access,
                 handler h) {
  if (guard_)
    h = guard_->guard(access, std::move(h));
  add_endpoint(std::move(method), std::move(pattern), access, std::move(h), {});
}

void router::add_stream(std::string method, std::string pattern,
                        route_access access, stream_handler h) {
  if (guard_)
    h = guard_->guard_stream(access, std::move(h));
  add_endpoint(std::move(method), std::move(pattern), access, {}, std::move(h));
}

void router::set_fallback(route_access access, handler h) {
  fallback_access_ = access;
  fallback_ = guard_ ? guard_->guard(access, std::move(h)) : std::move(h);
}

void router::add_endpoint(std::string method, std::string pattern,
                          route_access access, handler h,
                          stream_handler stream) {
  if (method.empty())
    bad_pattern(pattern, "empty method");
  if (pattern.empty() || pattern.front() != '/')
    bad_pattern(pattern, "does not start with '/'");
  std::string normalized{without_trailing_slash(pattern)};
  std::vector<std::string> names;
  node* current = root_.get();
  for (auto segment : split_segments(normalized)) {
    if (segment.empty())
      bad_pattern(pattern, "empty segment");
    if (segment.front() == '{') {
      if (segment.size() < 3 || segment.back() != '}')
        bad_pattern(pattern, "a parameter must look like {name}");
      std::string name{segment.substr(1, segment.size() - 2)};
      if (name.find_first_of("{}") != std::string::npos)
        bad_pattern(pattern, "a parameter must look like {name}");
      if (std::find(names.begin(), names.end(), name) != names.end())
        bad_pattern(pattern, "repeated parameter name");
      names.push_back(std::move(name));
      if (!current->param)
        current->param = std::make_unique<node>();
      current = current->param.get();
      continue;
    }
    if (segment.find_first_of("{}") != std::string_view::npos)
      bad_pattern(pattern, "braces inside a literal segment");
    auto i = current->literals.find(segment);
    if (i == current->literals.end())
      i = current->literals
              .emplace(std::string{segment}, std::make_unique<node>())
              .first;
    current = i->second.get();
  }
  if (current->methods.count(method) > 0)
    bad_pattern(pattern, ("already registered for " + method).c_str());
  current->methods.emplace(std::move(method),
                           node::endpoint{std::move(h), std::move(stream),
                                          std::move(normalized), access,
                                          std::move(names)});
}

route_match router::match(std::string_view method,
                          std::string_view path) const {
  route_match result;
  if (path.empty() || path.front() != '/')
    return result;
  std::vector<std::string> segments;
  for (auto raw : split_segments(path)) {
    auto decoded = percent_decode(raw);
    if (!decoded)
      return result;
    segments.push_back(std::move(*decoded));
  }
  std::vector<const std::string*> captured;
  std::set<std::string> allowed; // methods of paths that match but not method
  // Depth-first, literal child before parameter child: a literal route wins,
  // and a dead end in a literal branch still lets a parameter route match.
  auto search = [&](auto& self, const node& at, std::size_t depth) -> bool {
    if (depth == segments.size()) {
      if (const auto* hit = at.find(method)) {
        result.result = route_match::outcome::found;
        if (hit->stream)
          result.stream_target = &hit->stream;
        else
          result.target = &hit->fn;
        result.route = hit->pattern;
        result.access = hit->access;
        for (std::size_t i = 0; i < hit->param_names.size(); ++i)
          result.params.emplace(hit->param_names[i], *captured[i]);
        return true;
      }
      for (const auto& entry : at.methods) {
        allowed.insert(entry.first);
        if (entry.first == "GET")
          allowed.insert("HEAD");
      }
      return false;
    }
    const auto& segment = segments[depth];
    if (auto i = at.literals.find(segment); i != at.literals.end())
      if (self(self, *i->second, depth + 1))
        return true;
    if (at.param && !segment.empty()) {
      captured.push_back(&segment);
      if (self(self, *at.param, depth + 1))
        return true;
      captured.pop_back();
    }
    return false;
  };
  if (search(search, *root_, 0))
    return result;
  if (!allowed.empty()) {
    result.result = route_match::outcome::method_not_allowed;
    result.allow = join(allowed);
  } else if (fallback_ && (method == "GET" || method == "HEAD")) {
    result.result = route_match::outcome::found;
    result.target = &fallback_;
    result.route = "(static)";
    result.access = fallback_access_;
  }
  return result;
}

} // namespace cdpd::net
