// GET /api/health: the same as /api/health/ready, for load balancers and the launchers.
export { GET } from "./ready/route";

export const dynamic = "force-dynamic";
