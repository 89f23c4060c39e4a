/**
 * Typed GraphQL operations for the web app and the collab session: `npm run codegen` reads the
 * committed schema.graphql and every `graphql(...)` document under lib/api-client, and writes
 * lib/api-client/gql/ (offline; no server needed). tests/unit/client-codegen.test.ts fails when the
 * generated files are stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

export const codegenConfig: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['lib/api-client/**/*.ts', '!lib/api-client/gql/**'],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    'lib/api-client/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { JSON: 'unknown', DateTime: 'string', ID: 'string' },
      },
    },
  },
};

export default codegenConfig;
