-- A person's open requests for one role on one cluster, read under that (person, cluster, role)'s
-- advisory lock, in one round trip (lib/access/open-requests.ts): two filings sent at once take
-- turns, and the second sees the first once it committed. VOLATILE on purpose: in READ COMMITTED
-- each statement of a volatile function takes a new snapshot, so the read, after the lock was
-- granted, sees the commit of the filing that held it.
CREATE FUNCTION open_requests_locked(p_key text, p_requester uuid, p_cluster text, p_role text, p_statuses text[])
RETURNS TABLE (
  "id" uuid,
  "status" text,
  "startAt" timestamptz,
  "durationMinutes" integer,
  "activeFrom" timestamptz,
  "activeUntil" timestamptz,
  "justification" text,
  "ticket" text,
  "isBreakGlass" boolean,
  "createdAt" timestamptz
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_key));
  RETURN QUERY
    SELECT r.id, r.status, r.start_at, r.duration_minutes, r.active_from, r.active_until, r.justification, r.ticket,
      r.is_break_glass, r.created_at
    FROM access_requests r
    WHERE r.requester_id = p_requester AND r.cluster_name = p_cluster AND r.role_name = p_role
      AND r.status = ANY (p_statuses)
    ORDER BY r.created_at DESC;
END;
$$;
