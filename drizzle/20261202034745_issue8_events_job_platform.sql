CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"type" varchar(48) NOT NULL,
	"connector_id" integer,
	"subject" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_schedules" (
	"job" varchar(64) PRIMARY KEY NOT NULL,
	"pattern" varchar(120) NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "webhook_secret_hash" varchar(64);--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "webhook_secret_created_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "mode" varchar(16) DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "job_run_id" integer;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "added_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "updated_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "request_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "rows_written" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_state" ADD COLUMN "last_full_sync_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "sync_state" ADD COLUMN "last_sync_started_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "connector_id" integer;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "phase" varchar(32);--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "done" integer;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "total" integer;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_created_idx" ON "events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "events_type_created_idx" ON "events" USING btree ("type","created_at");--> statement-breakpoint
CREATE INDEX "events_connector_created_idx" ON "events" USING btree ("connector_id","created_at");--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_runs_connector_idx" ON "job_runs" USING btree ("connector_id","id");