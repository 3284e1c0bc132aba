/** Longer return paths fall back to the home page: they would overflow the sign-in cookie. */
export const MAX_RETURN_TO_LENGTH = 2048;

/** A path on this site, and nothing a browser could read as another host. */
const isLocalPath = (path: string) => path.startsWith("/") && !path.startsWith("//") && !path.includes("\\");

/**
 * Where to send someone after sign-in. Only a path on this site is accepted: anything else
 * (another origin, a protocol-relative `//host`, a backslash trick) falls back to the home page,
 * so the sign-in flow cannot be used as an open redirect. The path is checked again after it is
 * normalized (`/.//evil.example` normalizes to `//evil.example`), so that the answer is safe on its
 * own and passing it through again changes nothing.
 */
export function safeReturnTo(candidate: string | null | undefined): string {
  if (!candidate || candidate.length > MAX_RETURN_TO_LENGTH || !isLocalPath(candidate)) return "/";
  try {
    const url = new URL(candidate, "http://placeholder.invalid");
    const path = `${url.pathname}${url.search}`;
    if (url.origin !== "http://placeholder.invalid" || !isLocalPath(path) || path.length > MAX_RETURN_TO_LENGTH)
      return "/";
    return path;
  } catch {
    return "/";
  }
}
