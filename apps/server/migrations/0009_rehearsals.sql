CREATE TABLE "rehearsals" (
	"id" text PRIMARY KEY NOT NULL,
	"environment_key" text NOT NULL,
	"flag_key" text NOT NULL,
	"deploy_id" text,
	"status" text NOT NULL,
	"target_ms" integer NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"result" jsonb,
	"created_by" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "production" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sdk_instances" ADD COLUMN "last_report_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deploys" ADD COLUMN "rehearsal_id" text;--> statement-breakpoint
ALTER TABLE "rehearsals" ADD CONSTRAINT "rehearsals_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rehearsals" ADD CONSTRAINT "rehearsals_flag_key_flags_key_fk" FOREIGN KEY ("flag_key") REFERENCES "public"."flags"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rehearsals_flag_idx" ON "rehearsals" USING btree ("flag_key","environment_key","started_at");--> statement-breakpoint
UPDATE "environments" SET "production" = true WHERE "key" = 'production';
