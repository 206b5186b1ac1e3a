-- The counts of a campaign's `execution` block, kept when it completes, so a
-- finished campaign is never counted again from its deliveries (the list of
-- campaigns read every delivery row of every campaign before). NULL while
-- the campaign is not completed. A trigger keeps them, so every way to
-- complete a campaign (its actor, a user, psql) keeps them, and a replay of
-- its dead rows, which reopens it, clears them.
ALTER TABLE campaigns
  ADD COLUMN final_audience bigint NULL,
  ADD COLUMN final_pending bigint NULL,
  ADD COLUMN final_sent bigint NULL,
  ADD COLUMN final_failed bigint NULL,
  ADD COLUMN final_dead bigint NULL;

CREATE FUNCTION keep_campaign_final_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'completed' THEN
    SELECT count(*), count(*) FILTER (WHERE status IN ('pending', 'sending')),
           count(*) FILTER (WHERE status = 'sent'),
           count(*) FILTER (WHERE status = 'failed'),
           count(*) FILTER (WHERE status = 'dead')
      INTO NEW.final_audience, NEW.final_pending, NEW.final_sent,
           NEW.final_failed, NEW.final_dead
      FROM deliveries WHERE campaign_id = NEW.id;
  ELSE
    NEW.final_audience := NULL;
    NEW.final_pending := NULL;
    NEW.final_sent := NULL;
    NEW.final_failed := NULL;
    NEW.final_dead := NULL;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER campaigns_final_counts BEFORE UPDATE OF status ON campaigns
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION keep_campaign_final_counts();

UPDATE campaigns c SET final_audience = n.audience, final_pending = n.pending,
  final_sent = n.sent, final_failed = n.failed, final_dead = n.dead
FROM (SELECT campaign_id, count(*) AS audience,
        count(*) FILTER (WHERE status IN ('pending', 'sending')) AS pending,
        count(*) FILTER (WHERE status = 'sent') AS sent,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        count(*) FILTER (WHERE status = 'dead') AS dead
      FROM deliveries GROUP BY campaign_id) n
WHERE c.status = 'completed' AND n.campaign_id = c.id;
UPDATE campaigns SET final_audience = 0, final_pending = 0, final_sent = 0,
  final_failed = 0, final_dead = 0
WHERE status = 'completed' AND final_audience IS NULL;
