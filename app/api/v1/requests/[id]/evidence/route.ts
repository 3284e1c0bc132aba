// GET /api/v1/requests/{id}/evidence: the request's evidence pack, to keep as a file and check
// offline with `npm run audit:verify -- --pack FILE` (auditors and admins).
import { apiRoute } from "@/lib/api/handler";
import { requestIdFrom } from "@/lib/api/input";
import { buildEvidencePack } from "@/lib/audit/evidence";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ context, params }) => {
  const id = requestIdFrom(params);
  return {
    status: 200,
    body: await buildEvidencePack(context, id),
    headers: { "content-disposition": `attachment; filename="aks-jit-evidence-${id}.json"` },
  };
});
