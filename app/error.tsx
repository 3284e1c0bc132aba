"use client";
import { CenteredCard } from "@/components/centered-card";

// Unexpected errors: the details are in the server log under this digest; the user gets the reference.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <CenteredCard>
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p role="alert" className="mt-3 text-slate-700">
        The page could not be loaded. Try again; if it keeps failing, give your admin this reference:{" "}
        <code>{error.digest ?? "unknown"}</code>.
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-6 rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-900"
      >
        Try again
      </button>
    </CenteredCard>
  );
}
