CREATE TABLE "deploy_acks" (
	"deploy_id" text NOT NULL,
	"flag" text NOT NULL,
	"instance_id" text NOT NULL,
	"acknowledged_at" timestamp with time zone NOT NULL,
	CONSTRAINT "deploy_acks_deploy_id_flag_instance_id_pk" PRIMARY KEY("deploy_id","flag","instance_id")
);
--> statement-breakpoint
CREATE TABLE "deploy_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deploy_id" text NOT NULL,
	"event" text NOT NULL,
	"flag" text,
	"variation" integer,
	"count" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deploy_signals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deploy_id" text NOT NULL,
	"signal" text NOT NULL,
	"value" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"flag" text,
	"variation" integer
);
--> statement-breakpoint
CREATE TABLE "deploys" (
	"id" text PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"version" text NOT NULL,
	"environment_key" text NOT NULL,
	"commit" text,
	"flags" jsonb NOT NULL,
	"guard" jsonb NOT NULL,
	"status" text NOT NULL,
	"final" boolean DEFAULT false NOT NULL,
	"snapshot" jsonb NOT NULL,
	"decision" jsonb,
	"flags_off" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"count_cursor" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "deploy_acks" ADD CONSTRAINT "deploy_acks_deploy_id_deploys_id_fk" FOREIGN KEY ("deploy_id") REFERENCES "public"."deploys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deploy_counts" ADD CONSTRAINT "deploy_counts_deploy_id_deploys_id_fk" FOREIGN KEY ("deploy_id") REFERENCES "public"."deploys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deploy_signals" ADD CONSTRAINT "deploy_signals_deploy_id_deploys_id_fk" FOREIGN KEY ("deploy_id") REFERENCES "public"."deploys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deploys" ADD CONSTRAINT "deploys_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deploy_counts_deploy_idx" ON "deploy_counts" USING btree ("deploy_id","at");--> statement-breakpoint
CREATE INDEX "deploy_signals_deploy_idx" ON "deploy_signals" USING btree ("deploy_id","at");--> statement-breakpoint
CREATE INDEX "deploys_open_idx" ON "deploys" USING btree ("final","lease_expires_at");--> statement-breakpoint
CREATE INDEX "deploys_service_idx" ON "deploys" USING btree ("service","environment_key","created_at");