-- The viewer's IANA time zone as their browser reports it (lib/domain/time-zone.ts validates it):
-- pages render times in it on the server, so that nothing flashes from UTC after hydration.
-- NULL until the browser has told us: times show in UTC.
ALTER TABLE "users" ADD COLUMN "time_zone" TEXT;
