CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"environment_key" text,
	"token_hash" text NOT NULL,
	"hint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_token_id" text,
	"actor_name" text NOT NULL,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_key" text NOT NULL,
	"flag_key" text,
	"environment_key" text,
	"before" jsonb,
	"after" jsonb,
	"comment" text,
	"deploy_id" text
);
--> statement-breakpoint
CREATE TABLE "change_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"environment_key" text,
	"entity" text NOT NULL,
	"key" text NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "environments" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_counts" (
	"environment_key" text NOT NULL,
	"flag_key" text NOT NULL,
	"variation" integer NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "evaluation_counts_environment_key_flag_key_variation_hour_pk" PRIMARY KEY("environment_key","flag_key","variation","hour")
);
--> statement-breakpoint
CREATE TABLE "event_counts" (
	"environment_key" text NOT NULL,
	"event" text NOT NULL,
	"flag_key" text DEFAULT '' NOT NULL,
	"variation" integer DEFAULT -1 NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "event_counts_environment_key_event_flag_key_variation_minute_pk" PRIMARY KEY("environment_key","event","flag_key","variation","minute")
);
--> statement-breakpoint
CREATE TABLE "flag_config_versions" (
	"flag_key" text NOT NULL,
	"environment_key" text NOT NULL,
	"version" integer NOT NULL,
	"config" jsonb NOT NULL,
	"actor_token_id" text,
	"actor_name" text,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flag_config_versions_flag_key_environment_key_version_pk" PRIMARY KEY("flag_key","environment_key","version")
);
--> statement-breakpoint
CREATE TABLE "flag_configs" (
	"flag_key" text NOT NULL,
	"environment_key" text NOT NULL,
	"version" integer NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flag_configs_flag_key_environment_key_pk" PRIMARY KEY("flag_key","environment_key")
);
--> statement-breakpoint
CREATE TABLE "flags" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"kind" text NOT NULL,
	"variations" jsonb NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"owner" text,
	"expected_lifetime_days" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sdk_instances" (
	"environment_key" text NOT NULL,
	"instance_id" text NOT NULL,
	"sdk" text,
	"acked_version" bigint,
	"acked_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stream_seen_at" timestamp with time zone,
	CONSTRAINT "sdk_instances_environment_key_instance_id_pk" PRIMARY KEY("environment_key","instance_id")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"included" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"excluded" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_counts" ADD CONSTRAINT "evaluation_counts_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_counts" ADD CONSTRAINT "evaluation_counts_flag_key_flags_key_fk" FOREIGN KEY ("flag_key") REFERENCES "public"."flags"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_counts" ADD CONSTRAINT "event_counts_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_config_versions" ADD CONSTRAINT "flag_config_versions_flag_key_flags_key_fk" FOREIGN KEY ("flag_key") REFERENCES "public"."flags"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_config_versions" ADD CONSTRAINT "flag_config_versions_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_configs" ADD CONSTRAINT "flag_configs_flag_key_flags_key_fk" FOREIGN KEY ("flag_key") REFERENCES "public"."flags"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_configs" ADD CONSTRAINT "flag_configs_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sdk_instances" ADD CONSTRAINT "sdk_instances_environment_key_environments_key_fk" FOREIGN KEY ("environment_key") REFERENCES "public"."environments"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_flag_idx" ON "audit_log" USING btree ("flag_key","id");--> statement-breakpoint
CREATE INDEX "audit_log_env_idx" ON "audit_log" USING btree ("environment_key","id");--> statement-breakpoint
CREATE INDEX "change_log_env_idx" ON "change_log" USING btree ("environment_key","seq");--> statement-breakpoint
CREATE INDEX "flag_configs_env_idx" ON "flag_configs" USING btree ("environment_key");