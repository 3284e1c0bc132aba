"use server";
import { getCurrentUser } from "@/lib/auth/current-user";
import { saveTimeZone } from "@/lib/auth/time-zone";
import { isAppError } from "@/lib/errors";

/**
 * Stores the zone the browser reports for the signed-in viewer (components/time-zone.tsx calls it
 * when the browser's zone differs from the stored one). False when nobody is signed in or the name
 * is not a zone: times then stay in the zone they were.
 */
export async function saveBrowserTimeZone(zone: unknown): Promise<boolean> {
  const viewer = await getCurrentUser();
  if (!viewer) return false;
  try {
    await saveTimeZone(viewer, zone);
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === "INVALID_INPUT") return false;
    throw error;
  }
}
