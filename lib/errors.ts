import { isDatabaseUnavailable } from "./db/unavailable";

/**
 * The one error type the app throws on purpose. `userMessage` is safe to show and says what to do;
 * `message` is for logs. Anything that is not an AppError is unexpected: it is logged with a
 * correlation id and the user sees a generic message carrying that id.
 */
export const APP_ERROR_STATUS = {
  /** no valid session: sign in again */
  UNAUTHENTICATED: 401,
  /** signed in, but the permissions table does not allow it */
  FORBIDDEN: 403,
  /** allowed, but this decision needs a fresh sign-in (step-up): sign in again and retry */
  STEP_UP_REQUIRED: 403,
  NOT_FOUND: 404,
  /** the thing changed meanwhile: decided already, timed out, no longer in that state */
  CONFLICT: 409,
  /** too many attempts of one kind in a short time (lib/limits): wait `retryAfterSeconds`, then retry */
  RATE_LIMITED: 429,
  /** input failed validation */
  INVALID_INPUT: 400,
  /** the request body is over the size limit: send less */
  PAYLOAD_TOO_LARGE: 413,
  /** the request body is not in the media type the route reads (JSON routes: application/json) */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** the sign-in attempt cannot be completed (state, code, nonce or tenant problems) */
  SIGN_IN_FAILED: 400,
  /** Entra ID or Graph did not answer as expected */
  UPSTREAM: 502,
  /** the database is not answering now (restart, failover): nothing was saved, retry shortly */
  UNAVAILABLE: 503,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

/** A problem with one input field, for forms and API clients to show next to it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Where to go instead, e.g. the existing request that makes a new one a duplicate. */
export interface ErrorLink {
  href: string;
  label: string;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  readonly fields: FieldProblem[];
  /** RATE_LIMITED: seconds until a retry may succeed (the `Retry-After` header) */
  readonly retryAfterSeconds: number | undefined;
  readonly link: ErrorLink | undefined;

  constructor(
    code: AppErrorCode,
    options: {
      message: string;
      userMessage: string;
      fields?: FieldProblem[];
      cause?: unknown;
      retryAfterSeconds?: number;
      link?: ErrorLink;
    },
  ) {
    super(options.message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = options.userMessage;
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.link = options.link;
  }

  get status() {
    return APP_ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * The AppError an unexpected error stands for, when it is one that users can act on: a database
 * that is not answering now becomes UNAVAILABLE (503, retry shortly) instead of an internal error.
 */
export function expectedErrorOf(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) {
    return new AppError("UNAVAILABLE", {
      message: `database unavailable: ${error instanceof Error ? error.message.split("\n").at(-1) : String(error)}`,
      userMessage: "The database is not answering right now, so nothing was saved. Try again in a few seconds.",
      cause: error,
    });
  }
  return undefined;
}
