import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { isRevocable } from "@/lib/domain/request-status";
import type { GrantView } from "@/lib/access/grant-queries";
import { DataTable, TD } from "@/components/ui/data-table";
import { GRANT_KIND_WORDS } from "./grant-kind";

/** Everyone's current grants, soonest end first; revoking happens on a request's page, where its reason is asked. */
export function ActiveGrants({ grants }: { grants: GrantView[] }) {
  return (
    <section aria-labelledby="active-grants" className="mb-8">
      <h2 id="active-grants" className="mb-1 text-lg font-semibold">
        Active access
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        What the grant ledger says is applied now, one row per grant. To take access away, open a request and revoke it
        there.
      </p>
      {grants.length === 0 ? (
        <p className="text-slate-600">Nobody holds access right now.</p>
      ) : (
        <DataTable caption="Active grants, soonest end first" columns={["Holder", "Grant", "Ends", "Requests"]}>
          {grants.map((grant) => (
            <tr key={grant.id} className="border-t border-slate-100">
              <td className={TD}>
                {grant.holder.displayName}
                <span className="block text-xs text-slate-500">{grant.holder.userPrincipalName}</span>
              </td>
              <td className={TD}>
                {GRANT_KIND_WORDS[grant.kind]}
                <span className="block font-mono text-xs break-all text-slate-500">{grant.bindingKey}</span>
              </td>
              <td className={`${TD} whitespace-nowrap`}>
                <LocalTime iso={grant.endAt} />
                <span className="block text-xs text-slate-500">
                  tokens until <LocalTime iso={grant.effectiveEndAt} />
                </span>
              </td>
              <td className={TD}>
                <ul className="space-y-1">
                  {grant.requests.map((request) => {
                    const name = `${request.roleName} on ${request.clusterName}`;
                    return (
                      <li key={request.id}>
                        <Link href={`/requests/${request.id}`} className="text-brand-700 underline">
                          {name}
                        </Link>{" "}
                        {isRevocable(request.status) ? (
                          <Link
                            href={`/requests/${request.id}#administer`}
                            className="ml-2 whitespace-nowrap text-brand-700 underline"
                          >
                            Revoke…
                            <span className="sr-only">
                              {" "}
                              {name} for {grant.holder.displayName}
                            </span>
                          </Link>
                        ) : (
                          <span className="ml-2 text-xs text-slate-500">({request.status})</span>
                        )}
                      </li>
                    );
                  })}
                </ul>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
