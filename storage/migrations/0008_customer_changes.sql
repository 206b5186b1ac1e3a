-- Change capture for the in-memory customer shards: every committed write
-- to customers, orders or order_items leaves one row per touched customer
-- here, whatever wrote it (the API, a bulk import, `cdpd seed`, another
-- node, psql), and wakes listeners with NOTIFY customer_changes.
--
-- Readers select rows by transaction visibility, not by seq: a row's `xid`
-- is the writing transaction, so "the rows committed after snapshot S" is
-- `NOT pg_visible_in_snapshot(xid, S)` among `xid >= pg_snapshot_xmin(S)`.
-- That is exact even though seq values are handed out in a different order
-- than transactions commit.
--
-- The triggers are statement-level with transition tables, so a bulk
-- insert logs all its rows with one INSERT ... SELECT per statement instead
-- of one trigger call per row. Rows are pruned by the listener once it has
-- read them and they are old enough that no shard needs them to catch up.
CREATE TABLE customer_changes (
  seq         bigserial PRIMARY KEY,
  customer_id uuid NOT NULL,
  xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at          timestamp without time zone NOT NULL
                DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX customer_changes_xid_idx ON customer_changes (xid);

CREATE FUNCTION log_customer_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables are named per event; only the branch for this
  -- trigger's event runs (plpgsql plans statements on first use).
  IF TG_TABLE_NAME = 'customers' THEN
    IF TG_OP = 'DELETE' THEN
      INSERT INTO customer_changes (customer_id)
        SELECT DISTINCT id FROM old_rows;
    ELSIF TG_OP = 'UPDATE' THEN
      INSERT INTO customer_changes (customer_id)
        SELECT id FROM new_rows UNION SELECT id FROM old_rows;
    ELSE
      INSERT INTO customer_changes (customer_id)
        SELECT DISTINCT id FROM new_rows;
    END IF;
  ELSIF TG_TABLE_NAME = 'orders' THEN
    IF TG_OP = 'DELETE' THEN
      INSERT INTO customer_changes (customer_id)
        SELECT DISTINCT customer_id FROM old_rows;
    ELSIF TG_OP = 'UPDATE' THEN
      INSERT INTO customer_changes (customer_id)
        SELECT customer_id FROM new_rows
        UNION SELECT customer_id FROM old_rows;
    ELSE
      INSERT INTO customer_changes (customer_id)
        SELECT DISTINCT customer_id FROM new_rows;
    END IF;
  ELSE
    -- order_items: through the item's order. Items deleted by a cascade
    -- from their order find no order any more; the order's own trigger
    -- logged that customer.
    IF TG_OP = 'DELETE' THEN
      INSERT INTO customer_changes (customer_id)
        SELECT DISTINCT o.customer_id
        FROM old_rows i JOIN orders o ON o.id = i.order_id;
    ELSIF TG_OP = 'UPDATE' THEN
      INSERT INTO customer_changes (customer_id)
        SELECT o.customer_id FROM new_rows i JOIN orders o ON o.id = i.order_id
        UNION
        SELECT o.customer_id FROM old_rows i JOIN orders o ON o.id = i.order_id;
    ELSE
      INSERT INTO customer_changes (customer_id)
        SELECT DISTINCT o.customer_id
        FROM new_rows i JOIN orders o ON o.id = i.order_id;
    END IF;
  END IF;
  IF FOUND THEN
    -- Equal payloads fold into one notification per transaction.
    PERFORM pg_notify('customer_changes', '');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER customers_changes_insert AFTER INSERT ON customers
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
CREATE TRIGGER customers_changes_update AFTER UPDATE ON customers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
CREATE TRIGGER customers_changes_delete AFTER DELETE ON customers
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();

CREATE TRIGGER orders_changes_insert AFTER INSERT ON orders
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
CREATE TRIGGER orders_changes_update AFTER UPDATE ON orders
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
CREATE TRIGGER orders_changes_delete AFTER DELETE ON orders
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();

CREATE TRIGGER order_items_changes_insert AFTER INSERT ON order_items
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
CREATE TRIGGER order_items_changes_update AFTER UPDATE ON order_items
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
CREATE TRIGGER order_items_changes_delete AFTER DELETE ON order_items
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_changes();
