import Link from "next/link";
import { CenteredCard } from "@/components/centered-card";

export default function NotFound() {
  return (
    <CenteredCard>
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="mt-3 text-slate-700">
        There is nothing at this address. Check the link, or go back to your access.
      </p>
      <Link href="/access" className="mt-6 inline-block font-medium text-brand-700 underline">
        Go to My access
      </Link>
    </CenteredCard>
  );
}
