ALTER TABLE "users" ADD COLUMN "token_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "auth_changed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "users_auth_changed_at_idx" ON "users" USING btree ("auth_changed_at") WHERE "users"."auth_changed_at" is not null;--> statement-breakpoint
-- Fresh roles (issue 12): a change of role, password or disabled state raises the user's token
-- version, which revokes every token issued before it, however the change is written (an API
-- endpoint or SQL by hand). An explicit revocation raises it directly. Either way the row records
-- when, and every API process is woken on commit to reload the recent changes.
CREATE FUNCTION users_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.role IS DISTINCT FROM OLD.role
     OR NEW.password_hash IS DISTINCT FROM OLD.password_hash
     OR NEW.disabled_at IS DISTINCT FROM OLD.disabled_at THEN
    NEW.token_version := greatest(NEW.token_version, OLD.token_version + 1);
  END IF;
  IF NEW.token_version IS DISTINCT FROM OLD.token_version THEN
    NEW.auth_changed_at := now();
    PERFORM pg_notify('quickeats_user_auth', NEW.id::text);
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER users_auth_change BEFORE UPDATE ON "users"
  FOR EACH ROW EXECUTE FUNCTION users_auth_change();
