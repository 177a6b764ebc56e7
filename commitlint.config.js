/**
 * Commit messages follow Conventional Commits (https://www.conventionalcommits.org/en/v1.0.0/):
 * `type(scope): summary`, checked by the commit-msg hook (simple-git-hooks, package.json). git-cliff
 * builds CHANGELOG.md from them (cliff.toml).
 */
export default {
	extends: ['@commitlint/config-conventional'],
	rules: {
		// Our summaries say why, which takes more than 100 characters now and then.
		'header-max-length': [2, 'always', 150],
		'body-max-line-length': [0]
	}
};
