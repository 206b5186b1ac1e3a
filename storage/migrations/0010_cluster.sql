-- The cluster: every cdpd node started with cluster.port shares this
-- database, and PostgreSQL decides who is a member (actors/cluster/).
--
-- One row per stable node name (cluster.name). `nodes` (0001) stays the
-- log of processes keyed by CAF node id, which changes on every start; a
-- member keeps its name across restarts and takes a new incarnation each
-- time it joins. A member is live while lease_until > now() on the
-- database's clock; it renews the lease every second with
--   UPDATE .. WHERE name = $1 AND incarnation = $2 AND lease_until > now()
-- so a member whose lease ran out, or that another process replaced,
-- renews nothing and must rejoin with a new incarnation.
CREATE SEQUENCE cluster_incarnations;

CREATE TABLE cluster_members (
  name          text PRIMARY KEY,
  address       text NOT NULL,      -- cluster.address
  port          integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  http_address  text NOT NULL,      -- host:port of its HTTP API
  incarnation   bigint NOT NULL,    -- nextval('cluster_incarnations') at join
  -- 'up' while it runs; 'left' after a clean stop (its lease is expired at
  -- once, so the others need not wait it out).
  state         text NOT NULL DEFAULT 'up' CHECK (state IN ('up', 'left')),
  joined_at     timestamptz NOT NULL DEFAULT now(),
  lease_until   timestamptz NOT NULL
);

-- Work that runs once per cluster (scheduling, the delivery reaper, ...):
-- one row per singleton. The holder is a member name and incarnation; epoch
-- grows on every change of holder, and each of the singleton's transactions
-- checks holder, epoch and lease_until, never a session advisory lock (a
-- frozen process keeps its session, and its locks).
CREATE TABLE cluster_leases (
  name          text PRIMARY KEY,
  holder        text,
  incarnation   bigint,
  epoch         bigint NOT NULL DEFAULT 0,
  lease_until   timestamptz NOT NULL DEFAULT '-infinity'
);

-- Which member incarnation ("name:incarnation") claimed a row being sent,
-- so its rows can be released as soon as its lease expires. NULL on a
-- single node and for rows nobody claims.
ALTER TABLE deliveries ADD COLUMN claimed_by text;
-- The reaper finds a lost member's rows being sent without a scan.
CREATE INDEX deliveries_claimed_by_idx ON deliveries (claimed_by)
  WHERE status = 'sending';
