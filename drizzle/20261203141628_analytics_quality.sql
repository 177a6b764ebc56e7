CREATE TABLE "analytics_quality" (
	"connector_id" integer NOT NULL,
	"quality" varchar(50) NOT NULL,
	"episode_files" integer DEFAULT 0 NOT NULL,
	"movie_files" integer DEFAULT 0 NOT NULL,
	"computed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_quality_connector_id_quality_pk" PRIMARY KEY("connector_id","quality")
);
--> statement-breakpoint
ALTER TABLE "analytics_quality" ADD CONSTRAINT "analytics_quality_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;