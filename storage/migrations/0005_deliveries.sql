-- Campaign execution: one durable row per recipient and SEND_EMAIL step,
-- the execution detail of each campaign, and the unsubscribe flag.
--
-- * Timestamps are `timestamp without time zone` holding UTC, as in 0002.
-- * A delivery moves pending -> sending (claimed under a lease) -> sent, or
--   -> failed (retry at next_attempt_at) -> sending ..., or -> dead (gave
--   up). A `sending` row whose lease ran out is claimable again.
-- * idempotency_key is "<campaign id>:<step index>:<customer id>": starting
--   a campaign twice adds no row, and a provider sees the same key (and the
--   same Message-ID) however often a row is retried.
-- * Deleting a campaign or a customer deletes their deliveries.

-- Customers who unsubscribed (one-click link or API) never get campaign mail
-- again; NULL means subscribed.
ALTER TABLE customers ADD COLUMN unsubscribed_at timestamp without time zone;

-- The execution of a campaign; `status` (draft, active, paused, completed)
-- stays the public lifecycle word.
ALTER TABLE campaigns
  ADD COLUMN exec_phase text
    CHECK (exec_phase IN ('waiting', 'sending', 'done', 'failed')),
  ADD COLUMN scheduled_at timestamp without time zone,
  ADD COLUMN started_at timestamp without time zone,
  ADD COLUMN finished_at timestamp without time zone,
  ADD COLUMN paused_reason text,
  -- Dead deliveries when the campaign was last resumed: the automatic
  -- pause counts failures from there.
  ADD COLUMN dead_at_resume bigint NOT NULL DEFAULT 0;
-- Campaigns that existed before execution did: whatever their status said,
-- nothing was ever sent for them, and an upgrade must not start sending.
UPDATE campaigns SET exec_phase = 'done'
  WHERE status IN ('active', 'paused', 'completed');
CREATE INDEX campaigns_exec_phase_idx ON campaigns (exec_phase, status);

-- The content of each SEND_EMAIL step as it was when the campaign started,
-- so later edits of the flow do not change mail already queued.
CREATE TABLE delivery_steps (
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  step_index  integer NOT NULL,
  subject     text NOT NULL,
  body_text   text NOT NULL,
  PRIMARY KEY (campaign_id, step_index)
);

CREATE TABLE deliveries (
  id              bigserial PRIMARY KEY,
  campaign_id     uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  step_index      integer NOT NULL, -- step_order of the flow's SEND_EMAIL step
  customer_id     uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  email           text NOT NULL,
  due_at          timestamp without time zone NOT NULL,
  status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                                      'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamp without time zone NOT NULL,
  lease_until     timestamp without time zone,
  last_error      text,
  idempotency_key text NOT NULL UNIQUE,
  sent_at         timestamp without time zone,
  message_id      text,
  created_at      timestamp without time zone NOT NULL
                    DEFAULT (now() AT TIME ZONE 'utc')
);
-- Claiming: due rows waiting for a (first or next) attempt, and rows whose
-- lease expired.
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at)
  WHERE status IN ('pending', 'failed');
CREATE INDEX deliveries_lease_idx ON deliveries (lease_until)
  WHERE status = 'sending';
-- A recipient's earlier steps of the same campaign (a later step is not
-- claimed before they are sent or dead).
CREATE INDEX deliveries_recipient_idx
  ON deliveries (campaign_id, customer_id, step_index);
-- Counts per campaign and state; completion checks.
CREATE INDEX deliveries_campaign_status_idx
  ON deliveries (campaign_id, status);
CREATE INDEX deliveries_dead_idx ON deliveries (id) WHERE status = 'dead';
