/**
 * Where to send someone after sign-in. Only a path on this site is accepted: anything else
 * (another origin, a protocol-relative `//host`, a backslash trick) falls back to the home page,
 * so the sign-in flow cannot be used as an open redirect.
 */
export function safeReturnTo(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.includes("\\")) return "/";
  try {
    const url = new URL(candidate, "http://placeholder.invalid");
    if (url.origin !== "http://placeholder.invalid") return "/";
    return `${url.pathname}${url.search}`;
  } catch {
    return "/";
  }
}
