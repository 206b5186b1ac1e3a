-- Every cdpd node that has started against this database. A node upserts its
-- row at start-up (storage/node_registry.hpp) and refreshes last_seen while
-- it runs, so operators and the cluster can see who is (or was) around.
CREATE TABLE nodes (
  node_id      text PRIMARY KEY,
  http_address text NOT NULL,
  version      text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now()
);
