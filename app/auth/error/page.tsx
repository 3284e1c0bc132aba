import type { Metadata } from "next";
import { CenteredCard } from "@/components/centered-card";
import type { SignInFailure } from "@/lib/auth/sign-in";

export const metadata: Metadata = { title: "Sign-in failed" };

const MESSAGES: Record<SignInFailure, { title: string; body: string }> = {
  expired: {
    title: "This sign-in has expired or was already used",
    body: "Sign-in links work once and for 10 minutes. Start again from the button below.",
  },
  state_mismatch: {
    title: "The sign-in response did not match your sign-in",
    body: "The answer from Entra ID belongs to a different sign-in attempt (state mismatch), for example one started in another tab. For your safety it was refused. Start again.",
  },
  code_reused: {
    title: "This sign-in code was already used",
    body: "Entra ID refused a sign-in code that had been redeemed before, which happens when a sign-in page is reloaded or replayed. Start again.",
  },
  cancelled: {
    title: "Sign-in was cancelled",
    body: "Entra ID reports that the sign-in was cancelled or consent was declined. Start again when you are ready.",
  },
  rejected: {
    title: "Entra ID did not accept this sign-in",
    body: "The sign-in response could not be verified. Start again; if it keeps failing, give your admin the reference below.",
  },
  wrong_tenant: {
    title: "This account belongs to another organisation",
    body: "AKS JIT only accepts accounts from its own Entra ID tenant. Sign in with your work account for this organisation.",
  },
  unavailable: {
    title: "Sign-in could not be completed",
    body: "Entra ID or Microsoft Graph did not answer as expected. Try again in a minute; if it keeps failing, give your admin the reference below.",
  },
};

export default async function SignInErrorPage({
  searchParams,
}: {
  searchParams: Promise<{ reason?: string; ref?: string }>;
}) {
  const { reason, ref } = await searchParams;
  const message = MESSAGES[(reason ?? "") as SignInFailure] ?? MESSAGES.unavailable;
  return (
    <CenteredCard>
      <h1 className="text-xl font-semibold">{message.title}</h1>
      <p role="alert" className="mt-3 text-slate-700">
        {message.body}
      </p>
      {ref && /^[a-f0-9]{8}$/.test(ref) ? <p className="mt-3 text-sm text-slate-500">Reference: {ref}</p> : null}
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
