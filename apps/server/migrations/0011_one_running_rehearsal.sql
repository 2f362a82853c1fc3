UPDATE "rehearsals" SET "status" = 'error', "summary" = 'error: abandoned (the server stopped during the rehearsal)', "finished_at" = now() WHERE "status" = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "rehearsals_running_idx" ON "rehearsals" USING btree ("flag_key","environment_key") WHERE status = 'running';
