// GET /api/v1/requests/{id}/evidence: the request's evidence pack, to keep as a file and check
// offline with `npm run audit:verify -- --pack FILE` (auditors and admins).
import { apiRoute, ok } from "@/lib/api/handler";
import { requestIdFrom } from "@/lib/api/input";
import { buildEvidencePack } from "@/lib/audit/evidence";
import { ZEvidencePack } from "@/lib/schemas/evidence-pack";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ context, params }) => {
  const id = requestIdFrom(params);
  return ok(ZEvidencePack, await buildEvidencePack(context, id), {
    "content-disposition": `attachment; filename="aks-jit-evidence-${id}.json"`,
  });
});
