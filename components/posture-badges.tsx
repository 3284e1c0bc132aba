import Link from "next/link";
import type { PostureBadge } from "@/lib/posture/posture-badges";

/**
 * A cluster's ways in that bypass AKS JIT, as small links to what each means (/posture-terms).
 * Renders nothing for a compliant cluster without standing access.
 */
export function PostureBadges({ clusterName, badges }: { clusterName: string; badges: PostureBadge[] | undefined }) {
  if (!badges?.length) return null;
  return (
    <ul aria-label={`Ways into ${clusterName} without AKS JIT`} className="mt-1 flex flex-wrap gap-1.5">
      {badges.map((badge) => (
        <li key={badge.code}>
          <Link
            href={`/posture-terms#${badge.code}`}
            data-posture-badge={badge.code}
            className="inline-block rounded-full border border-amber-500 bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-950 underline-offset-2 hover:underline"
          >
            {badge.text}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** The same, inline in a sentence: a form field's hint (a paragraph, where a list may not go). */
export function PostureHint({ badges }: { badges: PostureBadge[] | undefined }) {
  if (!badges?.length) return null;
  return (
    <>
      Ways in without AKS JIT:{" "}
      {badges.map((badge, i) => (
        <span key={badge.code}>
          {i > 0 ? ", " : null}
          <Link href={`/posture-terms#${badge.code}`} className="font-medium text-amber-900 underline">
            {badge.text}
          </Link>
        </span>
      ))}
      .
    </>
  );
}
