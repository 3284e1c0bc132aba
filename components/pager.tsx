import Link from "next/link";

/** The page number in `?page=`, 1 when absent or not a positive whole number. */
export function pageFromQuery(value: string | string[] | undefined): number {
  const page = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(page) && page >= 1 ? Math.min(page, 10_000) : 1;
}

/**
 * Previous/next links for a list shown a page at a time (newest first). Plain links, so that they
 * work without JavaScript and say where they lead; the current page is announced to screen readers.
 */
export function Pager({
  page,
  hasNextPage,
  href,
  label,
}: {
  page: number;
  hasNextPage: boolean;
  /** the URL of a page number, e.g. (n) => `/approvals?page=${n}` */
  href: (page: number) => string;
  /** what the list is, for the navigation's name */
  label: string;
}) {
  if (page === 1 && !hasNextPage) return null;
  const linkClass = "rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50";
  return (
    <nav aria-label={`${label}: pages`} className="mt-3 flex items-center gap-3">
      {page > 1 ? (
        <Link href={href(page - 1)} className={linkClass} rel="prev">
          Newer
        </Link>
      ) : null}
      <span className="text-sm text-slate-600" aria-current="page">
        Page {page}
      </span>
      {hasNextPage ? (
        <Link href={href(page + 1)} className={linkClass} rel="next">
          Older
        </Link>
      ) : null}
    </nav>
  );
}
