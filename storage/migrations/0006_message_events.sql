-- What recipients did with campaign messages: loaded the open pixel,
-- followed a tracked link, unsubscribed. One row per delivery and kind, so
-- the campaign figures count people, not reloads; `hits` counts repeats.
CREATE TABLE delivery_events (
  delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('open', 'click', 'unsubscribe')),
  first_at    timestamp without time zone NOT NULL
                DEFAULT (now() AT TIME ZONE 'utc'),
  last_at     timestamp without time zone NOT NULL
                DEFAULT (now() AT TIME ZONE 'utc'),
  hits        bigint NOT NULL DEFAULT 1,
  last_url    text, -- clicks: the link followed last
  PRIMARY KEY (delivery_id, kind)
);

-- Per campaign: recipients who opened, clicked or unsubscribed (each
-- counted once per delivery, when its first event of that kind arrives).
ALTER TABLE campaign_delivery_stats
  ADD COLUMN emails_opened  bigint NOT NULL DEFAULT 0,
  ADD COLUMN emails_clicked bigint NOT NULL DEFAULT 0,
  ADD COLUMN unsubscribes   bigint NOT NULL DEFAULT 0;
