-- Row counts of the tables the app lists page by page (customers, orders,
-- products), kept by statement-level triggers in the writing transaction,
-- so an unfiltered list's total (X-Total-Count) reads a few rows instead
-- of counting a million. Exact in any snapshot: a count changes with the
-- rows, in the same commit. Each table has up to 16 slots, one per
-- backend (pg_backend_pid() % 16), so concurrent writers rarely wait on
-- one another's counter row; a reader sums them. TRUNCATE empties them.
CREATE TABLE row_counts (
  table_name text NOT NULL,
  slot       int  NOT NULL,
  n          bigint NOT NULL,
  PRIMARY KEY (table_name, slot)
);

CREATE FUNCTION count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  delta bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO delta FROM new_rows;
  ELSE
    SELECT -count(*) INTO delta FROM old_rows;
  END IF;
  IF delta <> 0 THEN
    INSERT INTO row_counts (table_name, slot, n)
    VALUES (TG_TABLE_NAME, pg_backend_pid() % 16, delta)
    ON CONFLICT (table_name, slot) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION forget_row_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM row_counts WHERE table_name = TG_TABLE_NAME;
  RETURN NULL;
END $$;

-- Per table: the triggers, then the rows already there. CREATE TRIGGER
-- holds off writers of its table until this transaction commits, so none
-- slips between trigger and count.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'orders', 'products'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_count_inserts AFTER INSERT ON %1$s'
                   ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION count_rows()', t);
    EXECUTE format('CREATE TRIGGER %1$s_count_deletes AFTER DELETE ON %1$s'
                   ' REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION count_rows()', t);
    EXECUTE format('CREATE TRIGGER %1$s_count_truncate AFTER TRUNCATE ON %1$s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION forget_row_count()', t);
    EXECUTE format('INSERT INTO row_counts (table_name, slot, n)'
                   ' SELECT %1$L, 0, count(*) FROM %1$I', t);
  END LOOP;
END $$;
