// Lint: typescript-eslint's recommended rules, plus the project's one-way import direction
// (policy ← machines ← dialogs ← server): lower layers never import higher ones.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'data/**', 'test/artifacts/**', 'manifest/build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  layer(['src/policy/**/*.ts'], ['**/machines/**', '**/dialogs/**', '**/server/**', '**/store/**', 'botbuilder*', 'restify', 'xstate*', 'pg', 'better-sqlite3', 'libsql'],
    'the policy core is pure: it imports nothing from the layers above it'),
  layer(['machines/**/*.ts'], ['**/dialogs/**', '**/server/**', '**/store/**', 'botbuilder*', 'restify', 'pg', 'better-sqlite3', 'libsql'],
    'the conversation machine knows the policy, never the channel, the server or the store'),
  layer(['dialogs/**/*.ts'], ['**/server/**', 'restify'],
    'the turn layer does not know the HTTP server'),
  { files: ['bench/**/*.ts', 'test/**/*.ts', 'src/cli/**/*.ts', '*.js', 'bin/**', '.ci/**'], rules: { 'no-console': 'off' } },
);
