-- Customers and orders in the event outbox (0014): customer.created,
-- customer.updated (only when a profile column changed, with the names of
-- those columns; the order aggregates that every order write updates are
-- no profile change), order.created. Statement-level with transition
-- tables, as customer_changes (0008), so a bulk import logs its rows with
-- one INSERT ... SELECT per statement; an upsert fires the INSERT trigger
-- for its new rows and the UPDATE trigger for the others.
--
-- A transaction that sets cdpd.events to 'off' (SET LOCAL) writes none of
-- these: `cdpd seed` does, since demo data is no change a subscriber waits
-- for and would be millions of rows.
CREATE FUNCTION customer_events_enabled() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('cdpd.events', true), '') <> 'off'
$$;

CREATE FUNCTION log_customer_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT customer_events_enabled() THEN
    RETURN NULL;
  END IF;
  -- Transition tables are named per event; only the branch for this
  -- trigger's event runs (plpgsql plans statements on first use).
  IF TG_OP = 'INSERT' THEN
    INSERT INTO events (type, data)
    SELECT 'customer.created', jsonb_strip_nulls(jsonb_build_object(
      'customer_id', n.id, 'external_id', n.external_id, 'email', n.email,
      'first_name', n.first_name, 'last_name', n.last_name,
      'marketing_opt_in', n.marketing_opt_in,
      'shipping_state', n.shipping_state,
      'shipping_country', n.shipping_country))
    FROM new_rows n;
  ELSE
    INSERT INTO events (type, data)
    SELECT 'customer.updated', jsonb_strip_nulls(jsonb_build_object(
      'customer_id', c.id, 'external_id', c.external_id, 'email', c.email,
      'changed', to_jsonb(c.changed)))
    FROM (
      SELECT n.id, n.external_id, n.email, array_remove(ARRAY[
        CASE WHEN n.external_id IS DISTINCT FROM o.external_id
          THEN 'external_id' END,
        CASE WHEN n.email IS DISTINCT FROM o.email THEN 'email' END,
        CASE WHEN n.phone IS DISTINCT FROM o.phone THEN 'phone' END,
        CASE WHEN n.first_name IS DISTINCT FROM o.first_name
          THEN 'first_name' END,
        CASE WHEN n.last_name IS DISTINCT FROM o.last_name
          THEN 'last_name' END,
        CASE WHEN n.marketing_opt_in IS DISTINCT FROM o.marketing_opt_in
          THEN 'marketing_opt_in' END,
        CASE WHEN n.shipping_state IS DISTINCT FROM o.shipping_state
          THEN 'shipping_state' END,
        CASE WHEN n.shipping_country IS DISTINCT FROM o.shipping_country
          THEN 'shipping_country' END,
        CASE WHEN n.unsubscribed_at IS DISTINCT FROM o.unsubscribed_at
          THEN 'unsubscribed_at' END], NULL) AS changed
      FROM new_rows n JOIN old_rows o ON o.id = n.id) c
    WHERE cardinality(c.changed) > 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER customers_events_insert AFTER INSERT ON customers
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_events();
CREATE TRIGGER customers_events_update AFTER UPDATE ON customers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_customer_events();

CREATE FUNCTION log_order_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT customer_events_enabled() THEN
    RETURN NULL;
  END IF;
  INSERT INTO events (type, data)
  SELECT 'order.created', jsonb_strip_nulls(jsonb_build_object(
    'order_id', n.id, 'external_id', n.external_id,
    'customer_id', n.customer_id, 'order_date', n.order_date,
    'order_status', n.order_status, 'total_amount', n.total_amount,
    'currency', n.currency, 'channel', n.channel,
    'coupon_code', n.coupon_code))
  FROM new_rows n;
  RETURN NULL;
END;
$$;

CREATE TRIGGER orders_events_insert AFTER INSERT ON orders
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_order_events();
