import { inject } from "vitest";

// The app's modules read their configuration at import: set it before any test file imports them.
Object.assign(process.env, inject("appEnv"));
