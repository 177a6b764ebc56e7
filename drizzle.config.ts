import { defineConfig } from 'drizzle-kit';

export default defineConfig({
	dialect: 'postgresql',
	schema: './src/lib/server/db/schema/index.ts',
	out: './drizzle',
	migrations: { prefix: 'timestamp' },
	strict: true,
	verbose: true
});
