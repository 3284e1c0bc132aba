import Link from "next/link";
import { env } from "@/lib/config/env";
import { getCurrentUser } from "@/lib/auth/current-user";
import { ROLES_UNVERIFIED_MESSAGE } from "@/lib/auth/authorize";
import { SECTIONS } from "@/lib/auth/navigation";
import { PERMISSION_AUDIENCE } from "@/lib/auth/permissions";

export default async function Forbidden() {
  const user = await getCurrentUser();
  return (
    <section aria-labelledby="forbidden-title" className="max-w-2xl rounded-lg border border-amber-300 bg-amber-50 p-6">
      <p className="text-sm font-semibold text-amber-800">403 · Not allowed</p>
      <h1 id="forbidden-title" className="mt-1 text-2xl font-semibold">
        You don&apos;t have access to this page
      </h1>
      {user?.roleCheck === "unavailable" ? (
        <p className="mt-3 font-medium text-amber-900" data-testid="roles-unverified">
          {ROLES_UNVERIFIED_MESSAGE}
        </p>
      ) : null}
      <p className="mt-3 text-slate-700">
        {user ? (
          <>
            You are signed in as <strong>{user.displayName}</strong> with the role{user.roles.length > 1 ? "s" : ""}{" "}
            <strong>{user.roles.join(", ")}</strong>.{" "}
          </>
        ) : null}
        Access to each part of AKS JIT comes from your Entra ID group membership:
      </p>
      <ul className="mt-3 list-disc space-y-1 pl-5 text-slate-700">
        {SECTIONS.map((section) => (
          <li key={section.href}>
            <strong>{section.label}</strong> is for {PERMISSION_AUDIENCE[section.permission]}.
          </li>
        ))}
      </ul>
      <p className="mt-3 text-slate-700">
        If you need it, ask your platform admin to add you to the right group: AKS JIT reads your membership again
        within {env.ROLE_FRESHNESS_SECONDS} seconds, so reload this page after that.
      </p>
      <p className="mt-4">
        <Link href="/access" className="font-medium text-brand-700 underline">
          Go to My access
        </Link>
      </p>
    </section>
  );
}
