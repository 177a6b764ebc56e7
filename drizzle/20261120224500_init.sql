CREATE TABLE "api_keys" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_keys_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" varchar(100) NOT NULL,
	"key_hash" varchar(64) NOT NULL,
	"prefix" varchar(12) NOT NULL,
	"read_only" boolean DEFAULT false NOT NULL,
	"user_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "login_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"username" varchar(64) NOT NULL,
	"address" varchar(64) NOT NULL,
	"success" boolean NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" varchar(64) PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"username" varchar(64) NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "connectors_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"type" varchar(16) NOT NULL,
	"name" varchar(100) NOT NULL,
	"url" varchar(500) NOT NULL,
	"api_key_encrypted" text NOT NULL,
	"api_key_hint" varchar(4) NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"app_name" varchar(50),
	"app_version" varchar(50),
	"health" varchar(16) DEFAULT 'unknown' NOT NULL,
	"health_reason" text,
	"health_checked_at" timestamp (3) with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"app_health" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"timeout_ms" integer DEFAULT 30000 NOT NULL,
	"skip_tls_verify" boolean DEFAULT false NOT NULL,
	"throttle_profile_id" integer,
	"season_pack_enabled" boolean DEFAULT true NOT NULL,
	"season_pack_threshold_pct" integer DEFAULT 50 NOT NULL,
	"max_episodes_before_pack" integer,
	"season_pack_cooldown_hours" integer DEFAULT 168 NOT NULL,
	"search_cooldown_hours" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "health_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"from_state" varchar(16) NOT NULL,
	"to_state" varchar(16) NOT NULL,
	"reason" text,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"status" varchar(16) NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone,
	"duration_ms" integer,
	"series_count" integer DEFAULT 0 NOT NULL,
	"episode_count" integer DEFAULT 0 NOT NULL,
	"movie_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"removed_count" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"connector_id" integer PRIMARY KEY NOT NULL,
	"last_sync_at" timestamp (3) with time zone,
	"last_success_at" timestamp (3) with time zone,
	"last_status" varchar(16),
	"last_error" text,
	"running_since" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "episodes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "episodes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"series_id" integer NOT NULL,
	"arr_id" integer NOT NULL,
	"season_number" integer NOT NULL,
	"episode_number" integer,
	"title" text,
	"air_date_utc" timestamp (3) with time zone,
	"runtime" smallint DEFAULT 0 NOT NULL,
	"monitored" boolean NOT NULL,
	"has_file" boolean NOT NULL,
	"episode_file_id" integer,
	"quality" varchar(50),
	"quality_cutoff_not_met" boolean DEFAULT false NOT NULL,
	"last_search_time" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "movies" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "movies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"arr_id" integer NOT NULL,
	"title" text NOT NULL,
	"sort_title" text,
	"year" integer,
	"status" varchar(20),
	"monitored" boolean NOT NULL,
	"has_file" boolean NOT NULL,
	"movie_file_id" integer,
	"quality" varchar(50),
	"quality_cutoff_not_met" boolean DEFAULT false NOT NULL,
	"minimum_availability" varchar(20),
	"is_available" boolean DEFAULT false NOT NULL,
	"tmdb_id" integer,
	"imdb_id" varchar(20),
	"item_type" varchar(10),
	"release_date" timestamp (3) with time zone,
	"last_search_time" timestamp (3) with time zone,
	"added" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seasons" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "seasons_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"series_id" integer NOT NULL,
	"season_number" integer NOT NULL,
	"monitored" boolean NOT NULL,
	"episode_file_count" integer DEFAULT 0 NOT NULL,
	"episode_count" integer DEFAULT 0 NOT NULL,
	"total_episode_count" integer DEFAULT 0 NOT NULL,
	"next_airing" timestamp (3) with time zone,
	"previous_airing" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "series_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"arr_id" integer NOT NULL,
	"title" text NOT NULL,
	"sort_title" text,
	"status" varchar(20),
	"series_type" varchar(20),
	"monitored" boolean NOT NULL,
	"year" integer,
	"tvdb_id" integer,
	"imdb_id" varchar(20),
	"tmdb_id" integer,
	"quality_profile_id" integer,
	"added" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_queue" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "request_queue_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"command" varchar(20) NOT NULL,
	"search_type" varchar(10) NOT NULL,
	"payload" jsonb NOT NULL,
	"search_count" integer NOT NULL,
	"priority" integer NOT NULL,
	"label" text NOT NULL,
	"series_id" integer,
	"season_number" integer,
	"status" varchar(12) DEFAULT 'pending' NOT NULL,
	"scheduled_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"claimed_at" timestamp (3) with time zone,
	"sent_at" timestamp (3) with time zone,
	"arr_command_id" integer,
	"command_status" varchar(12),
	"message" text,
	"finished_at" timestamp (3) with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "request_queue_items" (
	"request_id" integer NOT NULL,
	"registry_id" integer NOT NULL,
	CONSTRAINT "request_queue_items_request_id_registry_id_pk" PRIMARY KEY("request_id","registry_id")
);
--> statement-breakpoint
CREATE TABLE "search_history" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "search_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"request_id" integer,
	"command" varchar(20) NOT NULL,
	"search_type" varchar(10) NOT NULL,
	"search_count" integer NOT NULL,
	"label" text NOT NULL,
	"payload" jsonb NOT NULL,
	"arr_command_id" integer,
	"outcome" varchar(12) NOT NULL,
	"command_status" varchar(12),
	"message" text,
	"sent_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "search_registry" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "search_registry_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer NOT NULL,
	"episode_id" integer,
	"movie_id" integer,
	"search_type" varchar(10) NOT NULL,
	"state" varchar(12) DEFAULT 'pending' NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"last_searched_at" timestamp (3) with time zone,
	"next_eligible_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"failure_category" varchar(20),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "search_registry_one_item" CHECK (("search_registry"."episode_id" is null) <> ("search_registry"."movie_id" is null))
);
--> statement-breakpoint
CREATE TABLE "app_settings" (
	"key" varchar(100) PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "throttle_profiles" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "throttle_profiles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" varchar(50) NOT NULL,
	"is_preset" boolean DEFAULT false NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"max_commands_per_window" integer NOT NULL,
	"window_seconds" integer NOT NULL,
	"max_items_per_command" integer NOT NULL,
	"daily_search_budget" integer NOT NULL,
	"search_cooldown_hours" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "throttle_profiles_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connectors" ADD CONSTRAINT "connectors_throttle_profile_id_throttle_profiles_id_fk" FOREIGN KEY ("throttle_profile_id") REFERENCES "public"."throttle_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_events" ADD CONSTRAINT "health_events_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "movies" ADD CONSTRAINT "movies_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seasons" ADD CONSTRAINT "seasons_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seasons" ADD CONSTRAINT "seasons_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_queue" ADD CONSTRAINT "request_queue_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_queue" ADD CONSTRAINT "request_queue_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_queue_items" ADD CONSTRAINT "request_queue_items_request_id_request_queue_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."request_queue"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_queue_items" ADD CONSTRAINT "request_queue_items_registry_id_search_registry_id_fk" FOREIGN KEY ("registry_id") REFERENCES "public"."search_registry"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_history" ADD CONSTRAINT "search_history_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_episode_id_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."episodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_movie_id_movies_id_fk" FOREIGN KEY ("movie_id") REFERENCES "public"."movies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "login_attempts_lookup_idx" ON "login_attempts" USING btree ("username","address","at");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "connectors_name_unique" ON "connectors" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "health_events_connector_at_idx" ON "health_events" USING btree ("connector_id","at");--> statement-breakpoint
CREATE INDEX "sync_runs_connector_started_idx" ON "sync_runs" USING btree ("connector_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "episodes_connector_arr_unique" ON "episodes" USING btree ("connector_id","arr_id");--> statement-breakpoint
CREATE INDEX "episodes_gap_idx" ON "episodes" USING btree ("connector_id","air_date_utc") WHERE "episodes"."has_file" = false and "episodes"."monitored" = true;--> statement-breakpoint
CREATE INDEX "episodes_upgrade_idx" ON "episodes" USING btree ("connector_id") WHERE "episodes"."has_file" = true and "episodes"."quality_cutoff_not_met" = true and "episodes"."monitored" = true;--> statement-breakpoint
CREATE INDEX "episodes_series_season_idx" ON "episodes" USING btree ("series_id","season_number");--> statement-breakpoint
CREATE UNIQUE INDEX "movies_connector_arr_unique" ON "movies" USING btree ("connector_id","arr_id");--> statement-breakpoint
CREATE INDEX "movies_gap_idx" ON "movies" USING btree ("connector_id") WHERE "movies"."has_file" = false and "movies"."monitored" = true;--> statement-breakpoint
CREATE INDEX "movies_upgrade_idx" ON "movies" USING btree ("connector_id") WHERE "movies"."has_file" = true and "movies"."quality_cutoff_not_met" = true and "movies"."monitored" = true;--> statement-breakpoint
CREATE UNIQUE INDEX "seasons_series_number_unique" ON "seasons" USING btree ("series_id","season_number");--> statement-breakpoint
CREATE UNIQUE INDEX "series_connector_arr_unique" ON "series" USING btree ("connector_id","arr_id");--> statement-breakpoint
CREATE INDEX "request_queue_dispatch_idx" ON "request_queue" USING btree ("connector_id","priority","scheduled_at") WHERE "request_queue"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "request_queue_status_idx" ON "request_queue" USING btree ("status");--> statement-breakpoint
CREATE INDEX "request_queue_claimed_idx" ON "request_queue" USING btree ("connector_id","claimed_at");--> statement-breakpoint
CREATE INDEX "request_queue_items_registry_idx" ON "request_queue_items" USING btree ("registry_id");--> statement-breakpoint
CREATE INDEX "search_history_connector_finished_idx" ON "search_history" USING btree ("connector_id","finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "search_registry_episode_unique" ON "search_registry" USING btree ("episode_id","search_type");--> statement-breakpoint
CREATE UNIQUE INDEX "search_registry_movie_unique" ON "search_registry" USING btree ("movie_id","search_type");--> statement-breakpoint
CREATE INDEX "search_registry_state_eligible_idx" ON "search_registry" USING btree ("state","next_eligible_at");--> statement-breakpoint
CREATE INDEX "search_registry_connector_type_state_idx" ON "search_registry" USING btree ("connector_id","search_type","state");