-- The event outbox: one row per domain change a subscriber may care about,
-- written by triggers in the transaction of the change itself, so there is
-- no event without its change and no change without its event, whoever made
-- it (an actor, the API, psql). Publishers (webhooks, the Redis stream)
-- read it by transaction visibility as customer_changes is read (xid, see
-- 0008), since seq is handed out before commit and commits reorder it. No
-- NOTIFY: it serialises commits, and a send records one event per message
-- (measured: 15% fewer single-row records per second with it); publishers
-- poll.
-- Types and their `data` are listed in the README ("Events").
CREATE TABLE events (
  seq         bigserial PRIMARY KEY,
  id          uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  type        text NOT NULL,
  occurred_at timestamp without time zone NOT NULL
                DEFAULT (now() AT TIME ZONE 'utc'),
  xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  data        jsonb NOT NULL
);
CREATE INDEX events_xid_idx ON events (xid);
CREATE INDEX events_type_idx ON events (type, seq);

-- A campaign's lifecycle: created, activated (from draft, or reopened from
-- completed by a replay), paused (by a user or by its failures, with the
-- reason), resumed, completed (with its final counts, kept by the BEFORE
-- trigger of 0013), returned to draft, deleted.
CREATE FUNCTION log_campaign_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text;
  row campaigns;
BEGIN
  IF TG_OP = 'DELETE' THEN
    row := OLD;
    kind := 'campaign.deleted';
  ELSIF TG_OP = 'INSERT' THEN
    row := NEW;
    kind := 'campaign.created';
  ELSE
    row := NEW;
    kind := CASE NEW.status
      WHEN 'active' THEN CASE OLD.status WHEN 'paused'
        THEN 'campaign.resumed' ELSE 'campaign.activated' END
      WHEN 'paused' THEN 'campaign.paused'
      WHEN 'completed' THEN 'campaign.completed'
      ELSE 'campaign.returned_to_draft' END;
  END IF;
  INSERT INTO events (type, data) VALUES (kind, jsonb_strip_nulls(
    jsonb_build_object(
      'campaign_id', row.id, 'name', row.name, 'segment_id', row.segment_id,
      'status', row.status,
      'previous_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
      'reason', CASE WHEN kind = 'campaign.paused' THEN row.paused_reason END,
      'counts', CASE WHEN kind = 'campaign.completed' THEN jsonb_build_object(
        'audience', row.final_audience, 'pending', row.final_pending,
        'sent', row.final_sent, 'failed', row.final_failed,
        'dead', row.final_dead) END)));
  RETURN NULL;
END;
$$;

CREATE TRIGGER campaigns_events_insert AFTER INSERT ON campaigns
  FOR EACH ROW EXECUTE FUNCTION log_campaign_events();
CREATE TRIGGER campaigns_events_update AFTER UPDATE OF status ON campaigns
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION log_campaign_events();
CREATE TRIGGER campaigns_events_delete AFTER DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION log_campaign_events();

-- Segments: created and deleted here; `segment.updated` (membership entered
-- and left, coalesced) comes from the segment actors.
CREATE FUNCTION log_segment_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  row segments;
BEGIN
  row := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  INSERT INTO events (type, data) VALUES (
    CASE TG_OP WHEN 'DELETE' THEN 'segment.deleted' ELSE 'segment.created' END,
    jsonb_build_object('segment_id', row.id, 'name', row.name));
  RETURN NULL;
END;
$$;

CREATE TRIGGER segments_events_insert AFTER INSERT ON segments
  FOR EACH ROW EXECUTE FUNCTION log_segment_events();
CREATE TRIGGER segments_events_delete AFTER DELETE ON segments
  FOR EACH ROW EXECUTE FUNCTION log_segment_events();

-- Email: a delivery recorded as sent, failed (each failed attempt) or dead.
-- Row-level with a WHEN clause, so claims and lease renewals, which update
-- many rows without recording an outcome, never call the function.
CREATE FUNCTION log_delivery_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, data) VALUES ('email.' || NEW.status,
    jsonb_strip_nulls(jsonb_build_object(
      'delivery_id', NEW.id, 'campaign_id', NEW.campaign_id,
      'flow_run_id', NEW.flow_run_id, 'customer_id', NEW.customer_id,
      'email', NEW.email, 'step_index', NEW.step_index,
      'attempts', NEW.attempts, 'message_id', NEW.message_id,
      'error', CASE WHEN NEW.status <> 'sent' THEN NEW.last_error END)));
  RETURN NULL;
END;
$$;

CREATE TRIGGER deliveries_events AFTER UPDATE OF status ON deliveries
  FOR EACH ROW WHEN (NEW.status IN ('sent', 'failed', 'dead')
                     AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION log_delivery_events();

-- What recipients did: the first open, click or unsubscribe of a delivery
-- (repeats only count hits in delivery_events).
CREATE FUNCTION log_recipient_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, data)
  SELECT CASE NEW.kind WHEN 'open' THEN 'email.opened'
           WHEN 'click' THEN 'email.clicked' ELSE 'email.unsubscribed' END,
    jsonb_strip_nulls(jsonb_build_object(
      'delivery_id', d.id, 'campaign_id', d.campaign_id,
      'flow_run_id', d.flow_run_id, 'customer_id', d.customer_id,
      'email', d.email, 'url', NEW.last_url))
  FROM deliveries d WHERE d.id = NEW.delivery_id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER delivery_events_events AFTER INSERT ON delivery_events
  FOR EACH ROW EXECUTE FUNCTION log_recipient_events();
