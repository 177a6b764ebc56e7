ALTER TABLE "connectors" ADD COLUMN "download_queue_limit" integer DEFAULT 20;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "include_tag_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "exclude_tag_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "custom_format_upgrades" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_pauses" ADD COLUMN "until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "queue_pauses" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "request_queue" ADD COLUMN "origin" varchar(8) DEFAULT 'sweep' NOT NULL;--> statement-breakpoint
ALTER TABLE "throttle_profiles" ADD COLUMN "max_in_flight" integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE "throttle_profiles" ADD COLUMN "error_cooldown_seconds" integer DEFAULT 900 NOT NULL;--> statement-breakpoint
ALTER TABLE "throttle_profiles" ADD COLUMN "backoff_multiplier" real DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE "throttle_profiles" ADD COLUMN "active_windows" jsonb DEFAULT '[]'::jsonb NOT NULL;