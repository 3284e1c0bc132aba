import type { Metadata } from "next";
import { CenteredCard } from "@/components/centered-card";

export const metadata: Metadata = { title: "Signed out" };

export default function SignedOutPage() {
  return (
    <CenteredCard>
      <h1 className="text-xl font-semibold">You are signed out</h1>
      <p className="mt-3 text-slate-700">
        Your AKS JIT session has ended. Access you were granted to clusters is not affected: it still ends at its
        scheduled time.
      </p>
      {/* A plain link, never prefetched: following it starts a sign-in attempt (its state cookie), which a
          prefetch must not do behind the person's back, nor overwrite the attempt of another tab. */}
      <a
        href="/auth/sign-in"
        className="mt-6 inline-block rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-900"
      >
        Sign in again
      </a>
    </CenteredCard>
  );
}
