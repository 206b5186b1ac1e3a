-- Secrets every node of a cluster must share and nobody configured, made by
-- the first node that needs them (today: the access-token signing key when
-- auth.jwt-secret is not set). Configuring the secret keeps it out of the
-- database.

CREATE TABLE cluster_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamp without time zone NOT NULL
               DEFAULT (now() AT TIME ZONE 'utc')
);
