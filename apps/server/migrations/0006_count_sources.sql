ALTER TABLE "event_counts" ADD COLUMN "source" text DEFAULT 'server' NOT NULL;--> statement-breakpoint
ALTER TABLE "deploy_counts" ADD COLUMN "source" text DEFAULT 'server' NOT NULL;