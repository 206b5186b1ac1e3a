-- When an account's password last changed: access tokens issued before that
-- second are refused (the credential cache reads it), so a password change
-- ends every session, not only the refresh tokens. NULL: never changed since
-- the account was made, which no token can predate.
-- must_change_password: the first admin's generated password works for one
-- thing only, a login that sets a new one.
ALTER TABLE accounts
  ADD COLUMN password_changed_at timestamp without time zone NULL,
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
