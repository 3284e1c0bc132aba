-- How the person authenticated at sign-in (ID token auth_time and amr), recorded with their actions.
ALTER TABLE "sessions" ADD COLUMN "auth_time" TIMESTAMPTZ(3),
ADD COLUMN "auth_methods" TEXT[] DEFAULT ARRAY[]::TEXT[];
