-- The order event log becomes the outbox of the push surfaces (SSE, tRPC subscription, webhooks):
-- every row gets a global position, and a reader must never pass a position whose transaction has
-- not committed yet. Sequence values are drawn in one order and commit in another: a reader that
-- saw position 11 committed could otherwise advance past 10 and miss it when 10 commits later.
--
-- The technique is a barrier on one advisory lock: a writer draws its position while holding the
-- lock SHARED until its transaction ends (writers never wait for each other); the reader takes it
-- EXCLUSIVE, which waits until every writer that drew a position has committed or rolled back, and
-- only then reads the highest position: everything at or below it is final, so the reader can read
-- up to there and never look below again.
CREATE SEQUENCE "order_events_position_seq" AS bigint;--> statement-breakpoint
CREATE FUNCTION next_order_event_position() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7242014);
  RETURN nextval('order_events_position_seq');
END $$;--> statement-breakpoint
ALTER TABLE "order_events" ADD COLUMN "position" bigint;--> statement-breakpoint
UPDATE "order_events" e SET "position" = n.rn
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, order_id, version) AS rn FROM "order_events") n
 WHERE n.id = e.id;--> statement-breakpoint
SELECT setval('order_events_position_seq', coalesce((SELECT max("position") FROM "order_events"), 0) + 1, false);--> statement-breakpoint
ALTER TABLE "order_events" ALTER COLUMN "position" SET DEFAULT next_order_event_position();--> statement-breakpoint
ALTER TABLE "order_events" ALTER COLUMN "position" SET NOT NULL;--> statement-breakpoint
ALTER SEQUENCE "order_events_position_seq" OWNED BY "order_events"."position";--> statement-breakpoint
CREATE UNIQUE INDEX "order_events_position_key" ON "order_events" USING btree ("position");--> statement-breakpoint
-- The barrier and the horizon: the highest position at or below which every event is final.
-- The lock is held until the caller's (single-statement) transaction ends; writers wait only that long.
CREATE FUNCTION order_outbox_horizon() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7242014);
  -- A volatile function's statements each take a new snapshot: this one sees every writer the lock waited for.
  RETURN (SELECT coalesce(max(e."position"), 0) FROM order_events e);
END $$;--> statement-breakpoint
-- The reader: the committed events above `after_position` up to the horizon, with what deciding
-- visibility needs (the order's customer, restaurant owner and rider).
CREATE FUNCTION order_outbox_read(after_position bigint, max_rows integer)
RETURNS TABLE (
  "position" bigint, order_id uuid, action text, from_status text, to_status text, actor_role text,
  version integer, created_at timestamptz, customer_id uuid, owner_id uuid, rider_id uuid
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  horizon bigint;
BEGIN
  horizon := order_outbox_horizon();
  RETURN QUERY
    SELECT e."position", e.order_id, e.action, e.from_status, e.to_status, e.actor_role, e.version,
           e.created_at, o.customer_id, r.owner_id, o.rider_id
      FROM order_events e
      JOIN orders o ON o.id = e.order_id
      JOIN restaurants r ON r.id = o.restaurant_id
     WHERE e."position" > after_position AND e."position" <= horizon
     ORDER BY e."position"
     LIMIT max_rows;
END $$;--> statement-breakpoint
-- The wake-up: one NOTIFY per committing transaction that wrote events (delivered only on commit;
-- identical payloads within a transaction collapse). The log stays the truth; a lost NOTIFY only delays.
CREATE FUNCTION notify_order_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM inserted) THEN
    PERFORM pg_notify('quickeats_order_events', '');
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER order_events_notify AFTER INSERT ON "order_events"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify_order_events();
