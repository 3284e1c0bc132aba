/**
 * How a person proved who they are, as Entra ID said in their token: recorded with every event they
 * cause, so that an auditor can see how an approver was authenticated when they approved. Entra's
 * `auth_time` is when the person last entered credentials (not when the token was issued) and `amr`
 * lists the methods ("pwd", "mfa", "rsa", "fido" …).
 */
export interface Authentication {
  /** "session": a dashboard session from an interactive sign-in; "bearer": an API call with an access token */
  via: "session" | "bearer";
  /** when the person last authenticated interactively (ISO), if the token said */
  authTime: string | null;
  /** the authentication methods the token lists (`amr`) */
  methods: string[];
  /** when the dashboard session began (ISO), for a session */
  sessionStartedAt?: string;
}

/** The `auth_time` (seconds since the epoch) and `amr` claims of a verified token. */
export function authenticationClaims(claims: Record<string, unknown>) {
  const seconds = claims.auth_time;
  const authTime = typeof seconds === "number" && Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
  const methods = Array.isArray(claims.amr)
    ? claims.amr.filter((m): m is string => typeof m === "string" && m.length <= 40).slice(0, 10)
    : [];
  return { authTime, methods };
}
