/**
 * `bun run changelog`: regenerates CHANGELOG.md with git-cliff (cliff.toml) from the Conventional
 * Commits in the history. The newest, untagged commits are listed under `version` from package.json
 * (the one place a release sets the version; the app reads it from there too, config.ts), so a
 * release is: bump package.json's version, `bun run changelog`, commit `chore(release): vX.Y.Z`,
 * tag `vX.Y.Z`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dir, '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	version: string;
};
const cliff = path.join(root, 'node_modules/.bin/git-cliff');
const run = Bun.spawnSync([cliff, '--config', 'cliff.toml', '--tag', `v${version}`], {
	cwd: root,
	stdout: 'pipe',
	stderr: 'pipe'
});
if (run.exitCode !== 0) {
	process.stderr.write(run.stderr);
	process.exit(run.exitCode ?? 1);
}
await Bun.write(path.join(root, 'CHANGELOG.md'), run.stdout);
console.log(`CHANGELOG.md written for v${version}.`);
