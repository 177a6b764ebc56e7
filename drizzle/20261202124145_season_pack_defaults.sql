ALTER TABLE "connectors" ALTER COLUMN "max_episodes_before_pack" SET DEFAULT 1;--> statement-breakpoint
ALTER TABLE "connectors" ALTER COLUMN "season_pack_min_episodes" SET DEFAULT 2;