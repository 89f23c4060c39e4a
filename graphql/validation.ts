/**
 * Limits on the shape of a request, applied alike on BOTH transports before graphql-js's standard
 * rules: {@link preflight} runs in graphql/http-transport.ts before Apollo and in {@link validateOperation}
 * for graphql-ws. They come first because the standard rules are not linear in a document's size
 * (OverlappingFieldsCanBeMerged compares same-named fields pairwise): a 10 KB request of 1,000
 * repeated fields held the event loop for about a second, and 1 MB over HTTP for many, before any
 * Verso rule refused it. Depth and alias limits answered GRAPHQL_VALIDATION_FAILED over HTTP and
 * BAD_USER_INPUT over WebSocket; both now answer BAD_USER_INPUT.
 */
import {
  GraphQLError,
  getVariableValues,
  Kind,
  Lexer,
  Source,
  TokenKind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/** Deepest field nesting accepted (Verso's deepest real query is about 4 levels). */
export const MAX_DEPTH = 10;
/** Most aliases in one request: aliases let one request repeat a field many times (batch brute force, amplification). */
export const MAX_ALIASES = 30;
/** Most lexical tokens in one request, on both transports. */
export const MAX_TOKENS = 10_000;
/**
 * Most selections (fields, fragment spreads, inline fragments) and directives in one document,
 * counted as written. Verso's largest real operation has under 100; 500 keeps the standard
 * rules' pairwise work to milliseconds.
 */
export const MAX_SELECTIONS = 500;
/** Deepest bracket nesting ({, [, ( ) in a request's text; graphql-js's recursive parser overflows the stack at a few thousand. */
export const MAX_NESTING = 64;

const refuse = (code: string, message: string): ValidatedOperation => ({ ok: false, errors: [new GraphQLError(message, { extensions: { code } })] });

/**
 * Parses a request and bounds its shape before any of graphql-js's rules run, in time linear in
 * its text: at most {@link MAX_TOKENS} tokens (else `GRAPHQL_PARSE_FAILED`) and
 * {@link MAX_NESTING} nested brackets, both checked by the lexer before the recursive parser;
 * then at most {@link MAX_SELECTIONS} selections and directives, {@link MAX_ALIASES} aliases and
 * {@link MAX_DEPTH} levels of fields (following fragments). A request over a bound is
 * `BAD_USER_INPUT` saying which, on both transports alike; a syntax error is `GRAPHQL_PARSE_FAILED`.
 */
export function preflight(query: string): ValidatedOperation {
  let document: DocumentNode;
  try {
    const lexer = new Lexer(new Source(query));
    let nesting = 0;
    let tokens = 0;
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > MAX_TOKENS) return refuse('GRAPHQL_PARSE_FAILED', `The request has more than ${MAX_TOKENS} tokens; send several smaller requests.`);
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) nesting += 1;
      else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) nesting -= 1;
      if (nesting > MAX_NESTING) return refuse('BAD_USER_INPUT', `The request nests brackets more than ${MAX_NESTING} deep; split it into smaller queries.`);
    }
    document = parse(query, { maxTokens: MAX_TOKENS });
  } catch (error) {
    return refuse('GRAPHQL_PARSE_FAILED', error instanceof GraphQLError ? error.message : 'Could not parse the query.');
  }
  const { selections, aliases } = countSelections(document);
  if (selections > MAX_SELECTIONS) {
    return refuse('BAD_USER_INPUT', `The request has ${selections} fields, fragments and directives (at most ${MAX_SELECTIONS}); send several smaller requests.`);
  }
  if (aliases > MAX_ALIASES) return refuse('BAD_USER_INPUT', `Too many aliases (more than ${MAX_ALIASES}) in one request; send several requests instead.`);
  const depth = deepestOperation(document);
  if (depth > MAX_DEPTH) return refuse('BAD_USER_INPUT', `Query is nested too deeply (${depth} levels, at most ${MAX_DEPTH}); split it into smaller queries.`);
  return { ok: true, document };
}

/** Selections (fields, spreads, inline fragments) plus directives, and aliased fields, as written in `document`. */
function countSelections(document: DocumentNode): { selections: number; aliases: number } {
  let selections = 0;
  let aliases = 0;
  const walk = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      selections += 1 + (selection.directives?.length ?? 0);
      if (selection.kind === Kind.FIELD && selection.alias) aliases += 1;
      if (selection.kind !== Kind.FRAGMENT_SPREAD) walk(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) {
      selections += definition.directives?.length ?? 0;
      walk(definition.selectionSet);
    }
  }
  return { selections, aliases };
}

/** The deepest field nesting of any operation in `document`, following fragments (introspection's own fields are not counted). */
function deepestOperation(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // A fragment's depth does not depend on where it is spread: computing it once keeps a fan-out
  // (each fragment spreading the next twice) linear instead of exponential.
  const fragmentDepth = new Map<string, number>();
  const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Cycles are reported by NoFragmentCyclesRule; only guard against looping here.
        if (!fragment || visiting.has(name)) continue;
        let below = fragmentDepth.get(name);
        if (below === undefined) {
          visiting.add(name);
          below = depthOf(fragment.selectionSet, visiting);
          visiting.delete(name);
          fragmentDepth.set(name, below);
        }
        deepest = Math.max(deepest, below);
      }
      if (deepest > MAX_DEPTH) return deepest;
    }
    return deepest;
  };
  let deepest = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) deepest = Math.max(deepest, depthOf(definition.selectionSet, new Set()));
  }
  return deepest;
}

/**
 * Verso's own rules, added to graphql-js's standard ones (Apollo `validationRules`); the shape
 * bounds run before them, in {@link preflight}.
 */
export function versoValidationRules(production: boolean): ValidationRule[] {
  return production ? [NoSchemaIntrospectionCustomRule] : [];
}

/** A parsed and validated operation, or the errors to answer with. */
export type ValidatedOperation = { readonly ok: true; readonly document: DocumentNode } | { readonly ok: false; readonly errors: readonly GraphQLError[] };

/**
 * Parses and validates one WebSocket operation with the standard rules plus Verso's. In
 * production, "Did you mean …?" suggestions are stripped, as Apollo does for HTTP, so error
 * messages do not reveal the schema.
 */
export function validateOperation(schema: GraphQLSchema, query: string, production: boolean): ValidatedOperation {
  const parsed = preflight(query);
  if (!parsed.ok) return parsed;
  const { document } = parsed;
  const errors = validate(schema, document, [...specifiedRules, ...versoValidationRules(production)]);
  if (errors.length === 0) return { ok: true, document };
  return {
    ok: false,
    errors: errors.map((e) =>
      new GraphQLError(production ? e.message.replace(/ ?Did you mean(.+?)\?$/, '') : e.message, {
        nodes: e.nodes,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions },
      }),
    ),
  };
}

/**
 * Coerces a WebSocket operation's variables as execution will, so that a variable of the wrong
 * type (a null for a non-null input, an Int past 32 bits such as a clientSeq of 2^53) answers
 * `BAD_USER_INPUT` as Apollo does over HTTP: graphql-js's own coercion errors carry no code, and
 * graphql-ws sent them to the client without one. Returns no errors when execution will report
 * the problem itself (no such operation).
 */
export function variableErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): readonly GraphQLError[] {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation?.variableDefinitions?.length) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions, variables ?? {}, { maxErrors: 10 });
  if (!coerced.errors) return [];
  return coerced.errors.map(
    (e) => new GraphQLError(e.message, { nodes: e.nodes, originalError: e.originalError, extensions: { ...e.extensions, code: 'BAD_USER_INPUT' } }),
  );
}
