CREATE TABLE "code_ref_uploads" (
	"repository" text NOT NULL,
	"branch" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"uploaded_by" text,
	"ref_count" integer NOT NULL,
	CONSTRAINT "code_ref_uploads_repository_branch_pk" PRIMARY KEY("repository","branch")
);
--> statement-breakpoint
CREATE TABLE "code_refs" (
	"repository" text NOT NULL,
	"branch" text NOT NULL,
	"flag_key" text NOT NULL,
	"path" text NOT NULL,
	"line" integer NOT NULL,
	"text" text,
	CONSTRAINT "code_refs_repository_branch_flag_key_path_line_pk" PRIMARY KEY("repository","branch","flag_key","path","line")
);
--> statement-breakpoint
ALTER TABLE "flags" ADD COLUMN "permanent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "code_refs" ADD CONSTRAINT "code_refs_repository_branch_code_ref_uploads_repository_branch_fk" FOREIGN KEY ("repository","branch") REFERENCES "public"."code_ref_uploads"("repository","branch") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "code_refs_flag_idx" ON "code_refs" USING btree ("flag_key");