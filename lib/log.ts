import "server-only";
import pino from "pino";
import { env } from "@/lib/config/env";

/** JSON logs on stdout, for whatever collects them. Never log tokens, secrets or cookie values. */
export const log = pino({
  level: env.LOG_LEVEL,
  base: { service: "aks-jit" },
  redact: {
    paths: ["*.accessToken", "*.idToken", "*.refreshToken", "*.code", "*.clientSecret", "*.cookie"],
    censor: "[redacted]",
  },
});
