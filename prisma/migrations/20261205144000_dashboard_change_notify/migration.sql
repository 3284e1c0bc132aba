-- Live dashboard: besides requests (audit_events → 'request_changes'), a person's notifications and
-- the drift findings Admin lists tell the listening web processes that they changed
-- (lib/db/change-feed.ts). NOTIFY is delivered at commit; equal payloads in one transaction fold into one.
CREATE FUNCTION "notify_notification_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('notification_changes', NEW."recipient_object_id"::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "notifications_notify_change"
AFTER INSERT OR UPDATE ON "notifications"
FOR EACH ROW EXECUTE FUNCTION "notify_notification_change"();

CREATE FUNCTION "notify_drift_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('drift_changes', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "drift_findings_notify_change"
AFTER INSERT OR UPDATE ON "drift_findings"
FOR EACH STATEMENT EXECUTE FUNCTION "notify_drift_change"();
