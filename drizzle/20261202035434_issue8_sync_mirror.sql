CREATE TABLE "series_sync_pending" (
	"series_id" integer PRIMARY KEY NOT NULL,
	"connector_id" integer NOT NULL,
	"reason" varchar(16) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quality_profiles" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quality_profiles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"arr_id" integer NOT NULL,
	"name" text NOT NULL,
	"upgrade_allowed" boolean NOT NULL,
	"cutoff" integer NOT NULL,
	"cutoff_format_score" integer DEFAULT 0 NOT NULL,
	"min_format_score" integer DEFAULT 0 NOT NULL,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tags_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"arr_id" integer NOT NULL,
	"label" text NOT NULL,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "episodes" ADD COLUMN "custom_format_score" integer;--> statement-breakpoint
ALTER TABLE "movies" ADD COLUMN "custom_format_score" integer;--> statement-breakpoint
ALTER TABLE "movies" ADD COLUMN "quality_profile_id" integer;--> statement-breakpoint
ALTER TABLE "movies" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "seasons" ADD COLUMN "size_on_disk" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "series" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "series_sync_pending" ADD CONSTRAINT "series_sync_pending_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_sync_pending" ADD CONSTRAINT "series_sync_pending_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quality_profiles" ADD CONSTRAINT "quality_profiles_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "series_sync_pending_connector_idx" ON "series_sync_pending" USING btree ("connector_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quality_profiles_connector_arr_unique" ON "quality_profiles" USING btree ("connector_id","arr_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tags_connector_arr_unique" ON "tags" USING btree ("connector_id","arr_id");--> statement-breakpoint
CREATE INDEX "series_connector_profile_idx" ON "series" USING btree ("connector_id","quality_profile_id");