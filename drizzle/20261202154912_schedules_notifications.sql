CREATE TABLE "event_cursors" (
	"reader" varchar(48) PRIMARY KEY NOT NULL,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notification_channels_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"type" varchar(16) NOT NULL,
	"name" varchar(100) NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"config" jsonb NOT NULL,
	"secrets_encrypted" text,
	"events" jsonb DEFAULT '["*"]'::jsonb NOT NULL,
	"min_severity" varchar(8) DEFAULT 'info' NOT NULL,
	"connector_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"batch_window_seconds" integer DEFAULT 300 NOT NULL,
	"quiet_hours" jsonb,
	"max_per_hour" integer,
	"templates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notification_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel_id" integer NOT NULL,
	"outbox_id" bigint,
	"event_type" varchar(48) NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"status" varchar(10) NOT NULL,
	"response_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notification_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel_id" integer NOT NULL,
	"event_type" varchar(48) NOT NULL,
	"severity" varchar(8) NOT NULL,
	"connector_id" integer,
	"event_ids" jsonb NOT NULL,
	"status" varchar(10) DEFAULT 'pending' NOT NULL,
	"not_before" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"message" jsonb,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "sweep_schedules" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sweep_schedules_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"sweep_type" varchar(10) NOT NULL,
	"cron" varchar(120) NOT NULL,
	"timezone" varchar(64) NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"throttle_profile_id" integer,
	"batch_limit" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "request_queue" ADD COLUMN "sweep_schedule_id" integer;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_outbox_id_notification_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."notification_outbox"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_schedules" ADD CONSTRAINT "sweep_schedules_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_schedules" ADD CONSTRAINT "sweep_schedules_throttle_profile_id_throttle_profiles_id_fk" FOREIGN KEY ("throttle_profile_id") REFERENCES "public"."throttle_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_deliveries_channel_idx" ON "notification_deliveries" USING btree ("channel_id","id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_created_idx" ON "notification_deliveries" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" USING btree ("not_before") WHERE "notification_outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "notification_outbox_channel_idx" ON "notification_outbox" USING btree ("channel_id","created_at");--> statement-breakpoint
CREATE INDEX "sweep_schedules_connector_idx" ON "sweep_schedules" USING btree ("connector_id");--> statement-breakpoint
ALTER TABLE "request_queue" ADD CONSTRAINT "request_queue_sweep_schedule_id_sweep_schedules_id_fk" FOREIGN KEY ("sweep_schedule_id") REFERENCES "public"."sweep_schedules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Every existing connector gets the default sweep schedules (gaps hourly, upgrades nightly) in the
-- app's time zone; the built-in hourly "sweep both" job they replace loses its stored schedule.
INSERT INTO "sweep_schedules" ("connector_id", "sweep_type", "cron", "timezone")
SELECT c."id", d."sweep_type", d."cron",
	COALESCE((SELECT s."value"->>'timeZone' FROM "app_settings" s WHERE s."key" = 'general'), 'UTC')
FROM "connectors" c
CROSS JOIN (VALUES ('gaps', '5 * * * *'), ('upgrades', '30 2 * * *')) AS d("sweep_type", "cron")
ORDER BY c."id", d."sweep_type";--> statement-breakpoint
DELETE FROM "job_schedules" WHERE "job" = 'sweep';
