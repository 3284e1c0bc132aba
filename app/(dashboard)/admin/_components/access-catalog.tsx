import type { CatalogView } from "@/lib/access/catalog-view";
import { ScrollRegion } from "@/components/scroll-region";

const DL = "grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]";

export function AccessCatalog({ catalog }: { catalog: CatalogView }) {
  return (
    <section aria-labelledby="access-catalog" className="mb-8">
      <h2 id="access-catalog" className="mb-1 text-lg font-semibold">
        Access catalog
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        Loaded at start-up from <code className="font-mono text-xs">{catalog.file}</code>. To change it, edit the file,
        check it with <code className="font-mono text-xs">npm run catalog:check</code> and restart the app.
      </p>
      <div className="space-y-4">
        {catalog.clusters.map((cluster) => {
          const headingId = `catalog-${cluster.name}`;
          return (
            <article
              key={cluster.name}
              aria-labelledby={headingId}
              className="rounded-lg border border-slate-200 bg-white p-4"
            >
              <h3 id={headingId} className="text-base font-semibold">
                {cluster.displayName}{" "}
                <span className="font-mono text-sm font-normal text-slate-600">{cluster.name}</span>
              </h3>
              <dl className={`mt-3 ${DL}`}>
                <dt className="font-medium text-slate-600">Environment</dt>
                <dd>{cluster.environment}</dd>
                <dt className="font-medium text-slate-600">Resource ID</dt>
                <dd className="break-all font-mono text-xs leading-5">{cluster.resourceId}</dd>
                <dt className="font-medium text-slate-600">Node resource group</dt>
                <dd className="break-all font-mono text-xs leading-5">{cluster.nodeResourceGroup}</dd>
              </dl>
              {cluster.roles.map((role) => (
                <CatalogRole key={role.name} clusterName={cluster.name} role={role} />
              ))}
            </article>
          );
        })}
      </div>
    </section>
  );
}

function CatalogRole({
  clusterName,
  role,
}: {
  clusterName: string;
  role: CatalogView["clusters"][number]["roles"][number];
}) {
  const headingId = `catalog-${clusterName}-${role.name}`;
  return (
    <section aria-labelledby={headingId} className="mt-4 border-t border-slate-200 pt-4">
      <h4 id={headingId} className="font-semibold">
        Role <span className="font-mono">{role.name}</span>
      </h4>
      <p className="text-sm text-slate-600">{role.description}</p>
      <ScrollRegion label={`Grants of ${role.name} on ${clusterName}`} className="mt-3">
        <table className="w-full text-left text-sm">
          <caption className="mb-1 text-left font-medium text-slate-700">Grants while access is active</caption>
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-1 pr-4 font-medium">
                Kind
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Grants
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Scope
              </th>
              <th scope="col" className="py-1 font-medium">
                Removed by
              </th>
            </tr>
          </thead>
          <tbody>
            {role.grants.map((grant) => (
              <tr key={`${grant.kind}-${grant.id}-${grant.scope}`} className="border-t border-slate-100 align-top">
                <td className="py-1 pr-4">
                  {grant.mechanism} <span className="font-mono text-xs text-slate-500">{grant.kind}</span>
                </td>
                <td className="py-1 pr-4">
                  {grant.grants} <span className="break-all font-mono text-xs text-slate-500">{grant.id}</span>
                </td>
                <td className="break-all py-1 pr-4 font-mono text-xs leading-5">{grant.scope}</td>
                <td className="py-1">{grant.ends}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <h5 className="mt-3 text-sm font-medium text-slate-700">Policy</h5>
      <dl className={`mt-1 ${DL}`}>
        {role.policy.map(({ term, text, groupIds }) => (
          <div key={term} className="contents">
            <dt className="font-medium text-slate-600">{term}</dt>
            <dd>
              {text}
              {groupIds ? (
                <ul className="mt-0.5 space-y-0.5">
                  {groupIds.map((id) => (
                    <li key={id} className="break-all font-mono text-xs leading-5">
                      {id}
                    </li>
                  ))}
                </ul>
              ) : null}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
