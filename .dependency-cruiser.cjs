/**
 * The import direction of DESIGN.md "Layout", checked by `npm test` (issue 11):
 *   bin -> api, activities, workflows -> db, banks, bank-files, kvk, templates -> domain
 * domain imports no project folder and no I/O library; workflows import activities as types only and nothing with
 * I/O; api/ and activities/ import a workflow's contract module (workflows/<name>/contract.ts), never its body;
 * sandbox/ is reached only from bin/, tests, benchmarks and the fuzz and chaos runs (fuzz/, chaos/).
 */
const IO_LIBRARIES = [
  '^(node:)?(fs|net|http|https|child_process|dgram|dns|tls|worker_threads)$',
  '^node_modules/(pg|saxes|xmllint-wasm|handlebars|express|nodemailer|@mikro-orm/[^/]+|@temporalio/(client|worker|activity|testing))/',
];

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'Folders depend one way; a cycle that leaves its folder means a module sits in the wrong one.',
      from: { path: '^(api|activities|workflows|db|banks|bank-files|kvk|templates|domain|sandbox|bin)/' },
      to: { circular: true, viaSomeNot: '^$1/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds pure rules: no other project folder, no I/O library.',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-no-io-library',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: IO_LIBRARIES },
    },
    {
      name: 'edge-layers-import-domain-only',
      severity: 'error',
      comment: 'db/, banks/, bank-files/, kvk/ and templates/ sit on domain/ alone, and not on each other.',
      from: { path: '^(db|banks|bank-files|kvk|templates)/' },
      to: { pathNot: ['^$1/', '^domain/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'workflows-no-io',
      severity: 'error',
      comment: 'Workflow code is deterministic: domain/, its own contracts and activity types only.',
      from: { path: '^workflows/' },
      to: { path: ['^(api|db|banks|bank-files|kvk|templates|bin|sandbox)/', ...IO_LIBRARIES] },
    },
    {
      name: 'workflows-activity-types-only',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'callers-import-workflow-contracts',
      severity: 'error',
      comment: 'api/ and activities/ start and signal workflows through their contract modules, never the bodies.',
      from: { path: '^(api|activities)/' },
      to: { path: '^workflows/', pathNot: '^workflows/([^/]+/contract|search-attributes)\\.ts$' },
    },
    {
      name: 'activities-not-from-api',
      severity: 'error',
      comment: 'The API and the worker share db/ and domain/, not activities.',
      from: { path: '^api/' },
      to: { path: '^activities/' },
    },
    {
      name: 'sandbox-only-from-bin-and-tests',
      severity: 'error',
      from: { path: '^(api|activities|workflows|db|banks|bank-files|kvk|templates|domain)/' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'no-tests-from-product',
      severity: 'error',
      from: { path: '^(api|activities|workflows|db|banks|bank-files|kvk|templates|domain|sandbox|bin)/' },
      to: { path: '^(test|bench|fuzz|chaos)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
