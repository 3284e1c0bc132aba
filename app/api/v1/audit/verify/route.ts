// GET /api/v1/audit/verify: checks every link of the audit chain now (auditors and admins).
import { apiRoute, ok } from "@/lib/api/handler";
import { verifyAuditHistory } from "@/lib/audit/verification";
import { ZAuditVerification } from "@/lib/schemas/audit-verification";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ context }) => ok(ZAuditVerification, await verifyAuditHistory(context)));
