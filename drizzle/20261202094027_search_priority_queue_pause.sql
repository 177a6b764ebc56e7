CREATE TABLE "priority_overrides" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "priority_overrides_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"series_id" integer,
	"episode_id" integer,
	"movie_id" integer,
	"delta" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "priority_overrides_one_target" CHECK (("priority_overrides"."series_id" is not null)::int + ("priority_overrides"."episode_id" is not null)::int + ("priority_overrides"."movie_id" is not null)::int <= 1),
	CONSTRAINT "priority_overrides_delta_range" CHECK (abs("priority_overrides"."delta") <= 10000)
);
--> statement-breakpoint
CREATE TABLE "queue_pauses" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "queue_pauses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer,
	"paused_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_pauses_scope_unique" UNIQUE NULLS NOT DISTINCT("connector_id")
);
--> statement-breakpoint
ALTER TABLE "connectors" ALTER COLUMN "max_episodes_before_pack" SET DEFAULT 5;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "season_pack_min_episodes" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "request_queue" ADD COLUMN "score" jsonb;--> statement-breakpoint
ALTER TABLE "priority_overrides" ADD CONSTRAINT "priority_overrides_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "priority_overrides" ADD CONSTRAINT "priority_overrides_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "priority_overrides" ADD CONSTRAINT "priority_overrides_episode_id_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."episodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "priority_overrides" ADD CONSTRAINT "priority_overrides_movie_id_movies_id_fk" FOREIGN KEY ("movie_id") REFERENCES "public"."movies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_pauses" ADD CONSTRAINT "queue_pauses_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "priority_overrides_connector_unique" ON "priority_overrides" USING btree ("connector_id") WHERE "priority_overrides"."series_id" is null and "priority_overrides"."episode_id" is null and "priority_overrides"."movie_id" is null;--> statement-breakpoint
CREATE INDEX "priority_overrides_connector_idx" ON "priority_overrides" USING btree ("connector_id");--> statement-breakpoint
CREATE UNIQUE INDEX "priority_overrides_series_unique" ON "priority_overrides" USING btree ("series_id");--> statement-breakpoint
CREATE UNIQUE INDEX "priority_overrides_episode_unique" ON "priority_overrides" USING btree ("episode_id");--> statement-breakpoint
CREATE UNIQUE INDEX "priority_overrides_movie_unique" ON "priority_overrides" USING btree ("movie_id");