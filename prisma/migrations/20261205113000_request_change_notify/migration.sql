-- Live status across web replicas: every event of a request (state changes, each grant applied,
-- decisions) appends an audit row, so one trigger there tells every listening web process which
-- request changed (lib/db/request-changes.ts). NOTIFY is delivered only when the transaction
-- commits, and notifications with the same payload in one transaction are folded into one.
CREATE FUNCTION "notify_request_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('request_changes', NEW."request_id"::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "audit_events_notify_request_change"
AFTER INSERT ON "audit_events"
FOR EACH ROW WHEN (NEW."request_id" IS NOT NULL)
EXECUTE FUNCTION "notify_request_change"();
