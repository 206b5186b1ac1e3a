-- Who may do what: operator accounts, their refresh tokens, revoked access
-- tokens and API keys for machine clients.
--
-- * Secrets are never stored: accounts keep an Argon2id hash string, refresh
--   tokens and API keys only the SHA-256 (hex) of the token or whole key.
-- * Timestamps are `timestamp without time zone` holding UTC, as in 0002.
-- * Roles are the words viewer, manager and admin.
-- * Deleting an account deletes its refresh tokens; its API keys stay, with
--   created_by set to NULL.

CREATE TABLE accounts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email <> ''),
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('viewer', 'manager', 'admin')),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamp without time zone NOT NULL
                  DEFAULT (now() AT TIME ZONE 'utc'),
  updated_at    timestamp without time zone NOT NULL
                  DEFAULT (now() AT TIME ZONE 'utc'),
  last_login_at timestamp without time zone
);
-- One account per email whatever its letter case.
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at timestamp without time zone NOT NULL
               DEFAULT (now() AT TIME ZONE 'utc'),
  expires_at timestamp without time zone NOT NULL,
  revoked_at timestamp without time zone
);
CREATE INDEX refresh_tokens_account_id_idx ON refresh_tokens (account_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- Access-token ids revoked before their expiry (logout); a row is useless
-- once the token has expired, so purging deletes it.
CREATE TABLE revoked_tokens (
  jti        text PRIMARY KEY,
  expires_at timestamp without time zone NOT NULL
);
CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  prefix       text NOT NULL UNIQUE,
  key_hash     text NOT NULL,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('viewer', 'manager', 'admin')),
  created_by   uuid REFERENCES accounts (id) ON DELETE SET NULL,
  created_at   timestamp without time zone NOT NULL
                 DEFAULT (now() AT TIME ZONE 'utc'),
  last_used_at timestamp without time zone,
  revoked_at   timestamp without time zone
);
