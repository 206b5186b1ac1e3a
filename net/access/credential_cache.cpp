#include "net/access/credential_cache.hpp"

namespace cdpd::net {

credential_cache::credential_cache()
    : current_(std::make_shared<const snapshot>()) {}

std::shared_ptr<const credential_cache::snapshot>
credential_cache::current() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return current_;
}

void credential_cache::replace(
    snapshot fresh, std::chrono::steady_clock::time_point loaded_from) {
  std::lock_guard<std::mutex> guard{mutex_};
  // Changes older than the load's start are in the database it read.
  std::erase_if(recent_,
                [&](const auto& entry) { return entry.first < loaded_from; });
  for (const auto& entry : recent_)
    entry.second(fresh);
  current_ = std::make_shared<const snapshot>(std::move(fresh));
}

void credential_cache::apply(change c) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto next = std::make_shared<snapshot>(*current_);
  c(*next);
  current_ = std::move(next);
  recent_.emplace_back(std::chrono::steady_clock::now(), std::move(c));
}

std::optional<credential_cache::api_key_entry>
credential_cache::api_key(const std::string& prefix) const {
  auto now = current();
  if (auto i = now->api_keys.find(prefix); i != now->api_keys.end())
    return i->second;
  return std::nullopt;
}

std::optional<credential_cache::account_entry>
credential_cache::account(const std::string& id) const {
  auto now = current();
  if (auto i = now->accounts.find(id); i != now->accounts.end())
    return i->second;
  return std::nullopt;
}

bool credential_cache::revoked(const std::string& jti) const {
  return current()->revoked_token_ids.count(jti) > 0;
}

std::chrono::system_clock::time_point credential_cache::loaded_at() const {
  return current()->loaded_at;
}

void credential_cache::put_api_key(const std::string& prefix,
                                   api_key_entry entry) {
  apply([prefix, entry](snapshot& s) { s.api_keys[prefix] = entry; });
}

void credential_cache::remove_api_key_by_id(const std::string& id) {
  apply([id](snapshot& s) {
    std::erase_if(s.api_keys,
                  [&](const auto& entry) { return entry.second.id == id; });
  });
}

void credential_cache::put_account(const std::string& id, account_entry entry) {
  apply([id, entry](snapshot& s) { s.accounts[id] = entry; });
}

void credential_cache::password_changed(const std::string& id, int64_t epoch) {
  apply([id, epoch](snapshot& s) {
    if (auto i = s.accounts.find(id); i != s.accounts.end())
      i->second.password_changed_epoch = epoch;
  });
}

void credential_cache::revoke(const std::string& jti) {
  apply([jti](snapshot& s) { s.revoked_token_ids.insert(jti); });
}

} // namespace cdpd::net
