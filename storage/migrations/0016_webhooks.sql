-- Signed webhooks out: the endpoints operators register, and one delivery
-- row per event and matching endpoint, fanned out from the event outbox
-- (0014).
--
-- * Timestamps are `timestamp without time zone` holding UTC, as in 0002.
-- * An endpoint wants the event types in `event_types`, or every type when
--   it is NULL. Its `secret` ("whsec_" + base64 of 32 random bytes) signs
--   what it is sent, so it is kept as it was shown (once, at creation).
-- * `failing_since` is the time of the first failed attempt since the last
--   success; an endpoint failing for webhooks.disable-after is disabled with
--   `disabled_reason`.
CREATE TABLE webhook_endpoints (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url             text NOT NULL,
  event_types     text[],
  description     text NOT NULL DEFAULT '',
  enabled         boolean NOT NULL DEFAULT true,
  secret          text NOT NULL,
  disabled_reason text,
  failing_since   timestamp without time zone,
  created_at      timestamp without time zone NOT NULL
                    DEFAULT (now() AT TIME ZONE 'utc'),
  updated_at      timestamp without time zone NOT NULL
                    DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX webhook_endpoints_created_idx
  ON webhook_endpoints (created_at, id);

-- One row per event and endpoint that wants it, in event order: a row's id
-- is its place in the endpoint's queue. A row moves pending -> delivered,
-- or -> failed (given up webhooks.retry-for after its first attempt, so a
-- row held back behind a failing one keeps its own time; or refused with
-- an answer other than 2xx, 408, 429 and 5xx). Only the first pending row
-- of an endpoint is sent (with the rows after it, in order, by the same
-- worker), so a row that keeps failing holds the endpoint's later ones
-- back. A worker claims
-- rows by setting lease_until and lease_owner; a claim whose lease ran out
-- may be taken by another worker or node. `payload` is the body as sent
-- and signed, fixed at fan-out, so every attempt and replay sends the same
-- bytes; `event_id` is the webhook-id. A replay adds a new row at the end
-- of the queue.
CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id)
                    ON DELETE CASCADE,
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  event_at        timestamp without time zone NOT NULL,
  payload         text NOT NULL,
  status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamp without time zone NOT NULL
                    DEFAULT (now() AT TIME ZONE 'utc'),
  lease_until     timestamp without time zone,
  lease_owner     text,
  last_status     integer,
  last_body       text,
  last_error      text,
  latency_ms      integer,
  first_attempt_at timestamp without time zone,
  replay_of       bigint,
  created_at      timestamp without time zone NOT NULL
                    DEFAULT (now() AT TIME ZONE 'utc'),
  finished_at     timestamp without time zone
);
CREATE INDEX webhook_deliveries_pending_idx
  ON webhook_deliveries (endpoint_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx
  ON webhook_deliveries (endpoint_id, id);

-- How far the outbox has been fanned out: the snapshot whose committed
-- events already have their rows. The fan-out locks this one row, so one
-- node at a time adds rows, reads the events committed since (by
-- transaction visibility, as 0008 does) and moves the snapshot on in the
-- same transaction. Events from before webhooks existed are not sent.
CREATE TABLE webhook_fanout (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  snapshot pg_snapshot NOT NULL
);
INSERT INTO webhook_fanout (snapshot) VALUES (pg_current_snapshot());
