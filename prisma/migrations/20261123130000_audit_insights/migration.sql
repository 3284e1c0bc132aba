-- The auditor's charts (lib/audit/insights.ts): activations per day and time to approval, read from
-- the audit history over a window of up to a year.

-- The two event types the charts count, with the request each belongs to: the charts join requests
-- for cluster, role and filing time, so PostgreSQL reads this index alone (an index-only scan, the
-- history being append-only and so kept all-visible by autovacuum) instead of one heap page per
-- event, which over a year is nearly every page of audit_events. Partial and covering (INCLUDE),
-- which schema.prisma cannot say; Prisma 6.19 leaves partial indexes alone (`migrate diff` stays
-- empty), so the models only name these two in a comment.
CREATE INDEX "audit_events_insights_idx" ON "audit_events"("type", "occurred_at") INCLUDE ("request_id")
  WHERE "type" IN ('request.approved', 'request.activated');

-- Break-glass uses by filing time: a handful among all requests.
CREATE INDEX "access_requests_break_glass_idx" ON "access_requests"("created_at") WHERE "is_break_glass";
