ALTER TABLE "environments" ADD COLUMN "webhook_url" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "webhook_secret" text;