-- Auditor search (lib/audit/search.ts): newest first by seq, narrowed by any of its filters.
-- Only the first index is in schema.prisma: Prisma cannot describe the others (expressions), and
-- leaves them alone.

-- CreateIndex
CREATE INDEX "audit_events_type_seq_idx" ON "audit_events"("type", "seq");

-- Actor: the UPN recorded with the event, case-insensitively, in seq order.
CREATE INDEX "audit_events_actor_upn_lower_seq_idx" ON "audit_events"(lower("actor_upn"), "seq");

-- Requester: their requests are found by UPN, case-insensitively, then the events by request_id.
CREATE INDEX "users_user_principal_name_lower_idx" ON "users"(lower("user_principal_name"));

-- Free text, `lower(x) LIKE lower('%...%')` (what ILIKE does): trigram indexes turn a substring search
-- in justifications, tickets, comments and reasons into index lookups instead of a scan of the whole
-- history. All four on lower(x), one form for all, and expressions, which Prisma leaves alone (the next
-- `migrate dev` would drop a GIN index on a plain column that schema.prisma does not list).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "access_requests_justification_trgm_idx" ON "access_requests" USING GIN (lower("justification") gin_trgm_ops);
CREATE INDEX "access_requests_ticket_trgm_idx" ON "access_requests" USING GIN (lower("ticket") gin_trgm_ops);
CREATE INDEX "audit_events_comment_trgm_idx" ON "audit_events" USING GIN (lower("data" ->> 'comment') gin_trgm_ops);
CREATE INDEX "audit_events_reason_trgm_idx" ON "audit_events" USING GIN (lower("data" ->> 'reason') gin_trgm_ops);
