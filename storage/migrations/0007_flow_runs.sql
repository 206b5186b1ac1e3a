-- Flows entered by events: what happened to customers, the runs those
-- events started, and deliveries that belong to a run instead of a campaign.
--
-- * Timestamps are `timestamp without time zone` holding UTC, as in 0002.
-- * An event is enrolled once: the enroller claims unprocessed events with
--   FOR UPDATE SKIP LOCKED and, in the same transaction, creates the runs
--   and marks the event processed. UNIQUE (flow_id, event_id) backs that
--   up: an event starts at most one run of a flow.
-- * A run's deliveries are ordinary `deliveries` rows with flow_run_id set
--   (campaign_id NULL) and idempotency key "run:<run id>:<step index>".

CREATE TABLE customer_events (
  id           bigserial PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  type         text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
  properties   jsonb NOT NULL DEFAULT '{}',
  -- When it happened (the sender's word); run steps are timed from here.
  occurred_at  timestamp without time zone NOT NULL
                 DEFAULT (now() AT TIME ZONE 'utc'),
  -- When cdpd recorded it: only flows created by then enrol for it.
  recorded_at  timestamp without time zone NOT NULL
                 DEFAULT (now() AT TIME ZONE 'utc'),
  processed_at timestamp without time zone -- NULL: not enrolled yet
);
CREATE INDEX customer_events_unprocessed_idx ON customer_events (id)
  WHERE processed_at IS NULL;
CREATE INDEX customer_events_customer_idx ON customer_events (customer_id, id);

CREATE TABLE flow_runs (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  flow_id     uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  event_id    bigint NOT NULL REFERENCES customer_events (id)
                ON DELETE CASCADE,
  status      text NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'completed', 'exited')),
  exit_reason text,
  started_at  timestamp without time zone NOT NULL
                DEFAULT (now() AT TIME ZONE 'utc'),
  finished_at timestamp without time zone,
  UNIQUE (flow_id, event_id)
);
CREATE INDEX flow_runs_flow_idx ON flow_runs (flow_id, started_at, id);
CREATE INDEX flow_runs_active_idx ON flow_runs (id) WHERE status = 'active';

-- The content of each SEND_EMAIL step of a run as it was at enrolment (the
-- run's due times are fixed then too), so editing a live flow does not
-- change mail already queued nor leave a row pointing at another step.
CREATE TABLE flow_run_steps (
  run_id     uuid NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,
  step_index integer NOT NULL,
  subject    text NOT NULL,
  body_text  text NOT NULL,
  PRIMARY KEY (run_id, step_index)
);

ALTER TABLE deliveries
  ALTER COLUMN campaign_id DROP NOT NULL,
  ADD COLUMN flow_run_id uuid REFERENCES flow_runs (id) ON DELETE CASCADE,
  ADD CONSTRAINT deliveries_one_owner
    CHECK (num_nonnulls(campaign_id, flow_run_id) = 1);
-- A run's earlier steps (a later step waits for them), its counts and its
-- completion.
CREATE INDEX deliveries_run_idx ON deliveries (flow_run_id, step_index)
  WHERE flow_run_id IS NOT NULL;
