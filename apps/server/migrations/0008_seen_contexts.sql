CREATE TABLE "seen_contexts" (
	"environment_key" text NOT NULL,
	"context_key" text NOT NULL,
	"attributes" jsonb NOT NULL,
	"weight" bigint NOT NULL,
	"priority_seed" double precision NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "seen_contexts_environment_key_context_key_pk" PRIMARY KEY("environment_key","context_key")
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "seen_contexts_enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "confirm_flip_share" double precision;--> statement-breakpoint
ALTER TABLE "seen_contexts" ADD CONSTRAINT "seen_contexts_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "seen_contexts_seen_idx" ON "seen_contexts" USING btree ("last_seen_at");