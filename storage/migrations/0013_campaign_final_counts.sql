-- The counts of a campaign's `execution` block, kept when it completes, so a
-- finished campaign is never counted again from its deliveries (the list of
-- campaigns read every delivery row of every campaign before). NULL while
-- the campaign is not completed; a replay of its dead rows reopens it and
-- clears them.
ALTER TABLE campaigns
  ADD COLUMN final_audience bigint NULL,
  ADD COLUMN final_pending bigint NULL,
  ADD COLUMN final_sent bigint NULL,
  ADD COLUMN final_failed bigint NULL,
  ADD COLUMN final_dead bigint NULL;

-- Called in the transaction that completes campaign `id`.
CREATE FUNCTION campaign_keep_final_counts(id uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE campaigns c SET final_audience = n.audience,
    final_pending = n.pending, final_sent = n.sent, final_failed = n.failed,
    final_dead = n.dead
  FROM (SELECT count(*) AS audience,
          count(*) FILTER (WHERE status IN ('pending', 'sending')) AS pending,
          count(*) FILTER (WHERE status = 'sent') AS sent,
          count(*) FILTER (WHERE status = 'failed') AS failed,
          count(*) FILTER (WHERE status = 'dead') AS dead
        FROM deliveries WHERE campaign_id = $1) n
  WHERE c.id = $1
$$;

SELECT campaign_keep_final_counts(id) FROM campaigns
WHERE status = 'completed';
