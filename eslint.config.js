// Lint: typescript-eslint's recommended rules, plus the project's one-way import direction, for
// every folder (docs/architecture.md draws it). From the bottom up:
//   src/policy, src/nlu, src/i18n, src/store   (the core; the store and the messages know no machine)
//   machines                                   (the policy and the understanding's vocabulary; never src/nlu)
//   src/handoff                                (the store and the machine; ports given by the composition root)
//   dialogs                                    (the turn layer: the machine, the hand-over, the staff desk)
//   src/directline, src/server, src/web        (the channels and the HTTP server)
//   src/app.ts                                 (the composition root)   ←   src/cli
// Lower layers never import higher ones.
import tseslint from 'typescript-eslint';

/** The composition root: only the command line (and tests) import it. */
const APP = '**/app.js';

/** A folder's forbidden imports: each a pattern, or a group of patterns with exceptions (`!…`). */
const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: Array.isArray(group) ? group : [group], message })) }],
  },
});

/** Everything above the policy core, the machine and the understanding layer. */
const ABOVE_CORE = ['**/dialogs/**', '**/server/**', '**/store/**', '**/handoff/**', '**/directline/**', '**/web/**', '**/cli/**', APP];
const ENGINES = ['pg', 'better-sqlite3', 'libsql'];

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
  // The layers, lowest first. Each line says what a folder may never import; src/app.ts (the
  // composition root) and src/cli (the command line) sit on top and may import everything.
  layer(
    ['src/policy/**/*.ts'],
    [...ABOVE_CORE, '**/machines/**', '**/nlu/**', 'botbuilder*', 'restify', 'xstate*', ...ENGINES],
    'the policy core is pure: it imports nothing from the layers above it',
  ),
  // The machine reads commands (machines/commands.ts), never words: what needs the understanding (an
  // item named before the order was known) is resolved by the actors the composition root provides.
  layer(
    ['machines/**/*.ts'],
    [...ABOVE_CORE, '**/nlu/**', 'botbuilder*', 'restify', ...ENGINES],
    'the conversation machine knows the policy and the commands, never the understanding layer, the turn layer, a channel, the server or the store',
  ),
  // The understanding layer speaks the machine's vocabulary (its commands and steps), nothing more of it.
  layer(
    ['src/nlu/**/*.ts'],
    [...ABOVE_CORE, ['**/machines/**', '!**/machines/commands.js', '!**/machines/types.js'], 'botbuilder*', 'restify', 'xstate*', ...ENGINES],
    'the understanding layer reads words: no turn layer, channel, server or store',
  ),
  layer(
    ['src/i18n/**/*.ts', 'src/store/**/*.ts'],
    ['**/machines/**', '**/dialogs/**', '**/server/**', '**/handoff/**', '**/directline/**', '**/web/**', '**/cli/**', '**/nlu/**', APP, 'botbuilder*', 'restify', 'xstate*'],
    'the store and the messages are below the machine, the turn layer and the channels',
  ),
  layer(
    ['src/handoff/**/*.ts'],
    ['**/dialogs/**', '**/server/**', '**/directline/**', '**/web/**', '**/cli/**', APP, 'botbuilder*', 'restify'],
    'the hand-over knows the store and the machine, never the turn layer or a channel: the composition root gives it its ports',
  ),
  layer(['dialogs/**/*.ts'], ['**/server/**', '**/directline/**', '**/web/**', '**/cli/**', APP, 'restify'], "the turn layer does not know the HTTP server, a channel's routes or the command line"),
  layer(
    ['src/directline/**/*.ts', 'src/server/**/*.ts', 'src/web/**/*.ts'],
    ['**/cli/**', APP],
    'the channels and the server are given what they use by the composition root (src/app.ts), and never know the command line',
  ),
  { files: ['bench/**/*.ts', 'test/**/*.ts', 'src/cli/**/*.ts', '*.js', 'bin/**', '.ci/**'], rules: { 'no-console': 'off' } },
);
