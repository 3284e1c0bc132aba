-- Appends one event to the audit chain in one round trip (lib/audit/record-audit-event.ts): takes
-- the chain's advisory lock, reads the head and inserts the event linked to it. The lock is held
-- until the caller's transaction ends, so every other writer waits from here to that commit; doing
-- the three steps inside the database keeps the application's event loop out of that wait (under
-- load, each return to the application between lock, read and insert had added its queue to every
-- writer's wait).
--
-- VOLATILE on purpose: in READ COMMITTED each statement of a volatile function takes a new
-- snapshot, so the read of the head, after the lock was granted, sees the previous writer's commit.
-- `covered` is the event's canonical content (lib/audit/chain.ts, chainedText): the hash is
-- sha256(prev_hash || "\n" || covered), as chainHash computes and the verifier checks.
CREATE FUNCTION audit_append(
  p_lock bigint,
  p_id uuid,
  p_occurred_at timestamptz,
  p_type text,
  p_actor_id uuid,
  p_actor_upn text,
  p_subject_id text,
  p_request_id uuid,
  p_correlation_id text,
  p_data jsonb,
  p_covered text
) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head text;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock);
  SELECT hash INTO head FROM audit_events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1;
  head := COALESCE(head, repeat('0', 64));
  INSERT INTO audit_events
    (id, occurred_at, type, actor_id, actor_upn, subject_id, request_id, correlation_id, data, prev_hash, hash)
  VALUES
    (p_id, p_occurred_at, p_type, p_actor_id, p_actor_upn, p_subject_id, p_request_id, p_correlation_id, p_data,
     head, encode(sha256(convert_to(head || chr(10) || p_covered, 'UTF8')), 'hex'));
END;
$$;
