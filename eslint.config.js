// ESLint flat config: typescript-eslint's recommended rules, "no any", and the layer rule of
// src/ (docs/design.md, "Layers"): a module imports only from its own layer or lower ones.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Lowest first. Folders on one level do not import each other. src/*.ts files other than cli.ts
// (abortable-sleep.ts) are small helpers any layer may use; they import nothing of the project.
const LAYERS = [['core', 'pki'], ['admission'], ['catalogue'], ['kube'], ['webhook', 'scheduler'], ['commands'], ['cli']];
const LAYER_ORDER = 'core/pki <- admission <- catalogue <- kube <- webhook/scheduler <- commands <- cli';

/** An import of any of these folders (or of src/cli.ts) from a file anywhere below src/. */
function importOf(folders) {
  return `^(\\.\\./)+(${folders.join('|')})(/|\\.js$)`;
}

const layerRules = LAYERS.flatMap((level, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return level.map((folder) => {
    const forbidden = [...above, ...level.filter((other) => other !== folder)];
    return {
      files: folder === 'cli' ? ['src/cli.ts'] : [`src/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...(forbidden.length > 0
                ? [{ regex: importOf(forbidden), message: `src/${folder} may not import from this layer: layers point down (${LAYER_ORDER}).` }]
                : []),
              { regex: '^(\\.\\./)+(tools|test|bench)/', message: 'the product (src/) does not import test or tool code.' },
            ],
          },
        ],
      },
    };
  });
});

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'certs/**', 'coverage/**', '.cluster/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
  },
  ...layerRules,
  {
    files: ['src/*.ts'],
    ignores: ['src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./|^\\./', message: 'a src/ helper imports nothing of the project.' }] }] },
  },
);
