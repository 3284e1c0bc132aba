-- A grant being removed is claimed until this time, so that concurrent removers (the expiry sweep
-- in several replicas, the job at each grant's end, "End now") share the due grants instead of
-- each calling Entra ID or Azure for the same one. A claim whose holder died lapses at this time.
ALTER TABLE "grants" ADD COLUMN "removal_claimed_until" TIMESTAMPTZ(3);

-- The request whose early end (End now, revoke, a failed activation) left a grant covered by no
-- request: whoever removes the grant records the service calls on that request's audit trail.
ALTER TABLE "grants" ADD COLUMN "orphaned_by_request_id" UUID;
