#include "actors/domain/account_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

namespace {

caf::error account_missing() {
  return make_error(errc::not_found, "Account not found");
}

caf::error hashing_failed() {
  return caf::make_error(caf::sec::runtime_error,
                         std::string{"password hashing failed"});
}

} // namespace

db_job<storage::account_record> find_login_account(std::string email) {
  // On the write pool, though it only reads: a replica behind by a password
  // change would still accept the old password.
  return pg_work(
      [email](pqxx::connection& c) -> caf::expected<caf::message> {
        auto found = storage::find_account_by_email(c, email);
        if (!found)
          return std::move(found.error());
        return caf::make_message(*found ? std::move(**found)
                                        : storage::account_record{});
      },
      true);
}

db_job<login_outcome> complete_login(verified_login login) {
  return pg_work(
      [login](pqxx::connection& c) -> caf::expected<caf::message> {
        login_outcome out;
        auto found = storage::get_account(c, login.account_id);
        if (!found)
          return std::move(found.error());
        if (!*found || !(*found)->active ||
            (*found)->password_hash != login.verified_hash)
          return caf::make_message(std::move(out));
        auto account = std::move(**found);
        if (login.new_hash && login.password_changed) {
          storage::account_changes changes;
          changes.password_hash = *login.new_hash;
          auto updated = storage::update_account(c, account.id, changes);
          if (!updated)
            return std::move(updated.error());
          if (!updated->account)
            return caf::make_message(std::move(out));
          account = std::move(*updated->account);
        } else if (login.new_hash) {
          auto stored =
              storage::set_password_hash(c, account.id, *login.new_hash);
          if (!stored)
            return std::move(stored.error());
        }
        auto logged = storage::record_login(c, account.id);
        if (!logged)
          return std::move(logged.error());
        auto refresh = storage::store_refresh_token(
            c, account.id, login.refresh_hash, login.refresh_ttl_seconds);
        if (!refresh)
          return std::move(refresh.error());
        out.accepted = true;
        out.refresh = std::move(*refresh);
        account.password_hash.clear();
        out.account = std::move(account);
        return caf::make_message(std::move(out));
      },
      false);
}

db_job<storage::refresh_rotation> rotate_session(std::string old_hash,
                                                 std::string new_hash,
                                                 int64_t ttl_seconds) {
  return pg_work(
      [=](pqxx::connection& c) {
        return reply(
            storage::rotate_refresh_token(c, old_hash, new_hash, ttl_seconds));
      },
      false);
}

db_job<bool> end_session(std::optional<std::string> refresh_hash,
                         std::optional<std::string> jti,
                         int64_t jti_expires_epoch) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        if (refresh_hash) {
          auto revoked = storage::revoke_refresh_token(c, *refresh_hash);
          if (!revoked)
            return std::move(revoked.error());
        }
        if (jti) {
          auto revoked = storage::revoke_token_id(c, *jti, jti_expires_epoch);
          if (!revoked)
            return std::move(revoked.error());
        }
        return caf::make_message(true);
      },
      true);
}

db_job<password_change_result> change_password(std::string id,
                                               password_verifier verify,
                                               hash_producer make_hash) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        auto found = storage::get_account(c, id);
        if (!found)
          return std::move(found.error());
        if (!*found || !(*found)->active) {
          verify(std::nullopt);
          return account_missing();
        }
        if (!verify((*found)->password_hash))
          return caf::make_message(password_change_result::wrong_password);
        auto hash = make_hash();
        if (!hash)
          return hashing_failed();
        storage::account_changes changes;
        changes.password_hash = std::move(*hash);
        auto updated = storage::update_account(c, id, changes);
        if (!updated)
          return std::move(updated.error());
        if (updated->result != storage::account_update_result::updated)
          return account_missing();
        return caf::make_message(password_change_result::changed);
      },
      false);
}

db_job<storage::page<storage::account_record>>
list_accounts(storage::page_request page) {
  return pg_work(
      [page](pqxx::connection& c) {
        auto listed = storage::list_accounts(c, page);
        if (listed)
          for (auto& account : listed->items)
            account.password_hash.clear();
        return reply(std::move(listed));
      },
      true);
}

db_job<storage::account_record> get_account(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) -> caf::expected<caf::message> {
        auto found = storage::get_account(c, id);
        if (!found)
          return std::move(found.error());
        if (!*found)
          return account_missing();
        (*found)->password_hash.clear();
        return caf::make_message(std::move(**found));
      },
      true);
}

db_job<storage::account_record>
create_account(std::string email, std::string role, hash_producer make_hash) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        auto hash = make_hash();
        if (!hash)
          return hashing_failed();
        auto made = storage::create_account(c, email, *hash, role);
        if (!made)
          return std::move(made.error());
        if (!made->value)
          return make_error(errc::conflict, "Email already exists");
        made->value->password_hash.clear();
        return caf::make_message(std::move(*made->value));
      },
      false);
}

db_job<storage::account_record> update_account(std::string id,
                                               storage::account_changes changes,
                                               hash_producer make_hash) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        auto apply = changes;
        if (make_hash) {
          auto hash = make_hash();
          if (!hash)
            return hashing_failed();
          apply.password_hash = std::move(*hash);
        }
        auto updated = storage::update_account(c, id, apply);
        if (!updated)
          return std::move(updated.error());
        switch (updated->result) {
        case storage::account_update_result::updated:
          break;
        case storage::account_update_result::not_found:
          return account_missing();
        case storage::account_update_result::last_admin:
          return make_error(errc::conflict, last_admin_detail);
        }
        updated->account->password_hash.clear();
        return caf::make_message(std::move(*updated->account));
      },
      false);
}

db_job<created_api_key>
create_api_key(std::function<generated_api_key()> generate, int attempts) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        for (int i = 0; i < attempts; ++i) {
          auto fresh = generate();
          auto made = storage::create_api_key(c, fresh.fields);
          if (!made)
            return std::move(made.error());
          if (*made)
            return caf::make_message(
                created_api_key{std::move(fresh.key), std::move(**made)});
        }
        return make_error(errc::conflict,
                          "could not find a free API key prefix; try again");
      },
      false);
}

db_job<storage::page<storage::api_key_record>>
list_api_keys(storage::page_request page) {
  return pg_work(
      [page](pqxx::connection& c) {
        return reply(storage::list_api_keys(c, page));
      },
      true);
}

db_job<bool> revoke_api_key(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) -> caf::expected<caf::message> {
        auto revoked = storage::revoke_api_key(c, id);
        if (!revoked)
          return std::move(revoked.error());
        if (!*revoked)
          return make_error(errc::not_found, "API key not found");
        return caf::make_message(true);
      },
      false);
}

} // namespace cdpd::actors::domain
