-- Settings every member of a cluster must share (actors/cluster/): the
-- number of customer shards and of limiter hosts decide which member owns
-- which key, so two members that disagree would place the same key
-- differently. The first member to start writes them; a member started
-- with other values refuses to start while another member is live (or
-- wrote them within the last lease period: it may be joining now).
CREATE TABLE cluster_settings (
  name    text PRIMARY KEY,           -- "ratelimit.hosts", "segments.shards"
  value   text NOT NULL,
  set_by  text NOT NULL,              -- member name
  set_at  timestamptz NOT NULL DEFAULT now()
);
