CREATE TABLE "queue_pauses" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "queue_pauses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connector_id" integer,
	"paused_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_pauses_scope_unique" UNIQUE NULLS NOT DISTINCT("connector_id")
);
--> statement-breakpoint
ALTER TABLE "queue_pauses" ADD CONSTRAINT "queue_pauses_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;