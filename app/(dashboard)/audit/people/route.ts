// GET /audit/people?q=…: the Audit page's people picker (lib/audit/people.ts), as JSON.
import { findPeople } from "@/lib/audit/people";
import { getCurrentUser } from "@/lib/auth/current-user";
import { isAppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const viewer = await getCurrentUser();
  if (!viewer) return Response.json({ message: "Sign in to search the directory." }, { status: 401 });
  const query = new URL(request.url).searchParams.get("q") ?? "";
  try {
    const people = await findPeople(viewer, query);
    return Response.json(
      { people: people.map(({ displayName, userPrincipalName }) => ({ displayName, userPrincipalName })) },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    // Forbidden, or Graph unavailable: the picker shows the message and typing a UPN still works.
    if (isAppError(error)) return Response.json({ message: error.userMessage }, { status: error.status });
    throw error;
  }
}
