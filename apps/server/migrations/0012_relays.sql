ALTER TABLE "api_tokens" ADD COLUMN "environment_keys" text[];--> statement-breakpoint
ALTER TABLE "sdk_instances" ADD COLUMN "relay_id" text;