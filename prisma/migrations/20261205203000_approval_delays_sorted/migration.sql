-- The auditor's charts over a year (lib/audit/insights.ts) read only the rollups, the current day
-- included, and take each cluster's approvals in cluster order from an index instead of sorting a
-- year of them (docs/performance.md, "Audit"). The delay becomes whole microseconds (what an
-- interval holds), which sorts as a plain number.
--
-- The rollups are a cache of the audit history: emptied here, they are computed again on the next view.
TRUNCATE "audit_insight_days", "audit_activation_days", "audit_approval_delays", "audit_insight_watermark";

ALTER TABLE "audit_approval_delays" DROP COLUMN "delay";
ALTER TABLE "audit_approval_delays" ADD COLUMN "delay_us" BIGINT NOT NULL;

-- Covering (INCLUDE), which schema.prisma cannot say: its @@index names the same columns.
CREATE INDEX "audit_approval_delays_cluster_name_day_idx" ON "audit_approval_delays"("cluster_name", "day") INCLUDE ("delay_us");
