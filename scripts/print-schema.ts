/** Writes the GraphQL schema, as built from the code, to schema.graphql (`npm run schema:print`). */
import { writeFileSync } from 'node:fs';
import { getSchema, printSchemaSdl } from '../graphql/schema.ts';

writeFileSync(new URL('../schema.graphql', import.meta.url), printSchemaSdl(getSchema()));
console.log('wrote schema.graphql');
