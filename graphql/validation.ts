/**
 * Limits on the shape of a request, applied on BOTH transports: Apollo runs them as
 * `validationRules` for HTTP, and graphql-ws (which runs only graphql-js's standard rules) runs
 * them through {@link validateOperation} in its onSubscribe.
 */
import {
  GraphQLError,
  getVariableValues,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Deepest field nesting accepted (Verso's deepest real query is about 4 levels). */
export const MAX_DEPTH = 10;
/** Most aliases in one request: aliases let one request repeat a field many times (batch brute force, amplification). */
export const MAX_ALIASES = 30;
/** Most lexical tokens parsed over WebSocket (Apollo bounds HTTP requests by body size). */
export const MAX_TOKENS = 10_000;

/** Refuses operations nested deeper than `maxDepth` fields (introspection's own fields are not counted). */
export function depthLimitRule(maxDepth: number = MAX_DEPTH): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const below = selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0;
          deepest = Math.max(deepest, 1 + below);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // Cycles are reported by NoFragmentCyclesRule; only guard against looping here.
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, visiting));
          visiting.delete(name);
        }
        if (deepest > maxDepth) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query is nested too deeply (${depth} levels, at most ${maxDepth}); split it into smaller queries.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}

/** Refuses documents with more than `maxAliases` aliased fields. */
export function aliasLimitRule(maxAliases: number = MAX_ALIASES): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias) return;
        aliases += 1;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(`Too many aliases (more than ${maxAliases}) in one request; send several requests instead.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}

/** Verso's own rules, added to graphql-js's standard ones (Apollo `validationRules`). */
export function versoValidationRules(production: boolean): ValidationRule[] {
  return [depthLimitRule(), aliasLimitRule(), ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
}

/** A parsed and validated operation, or the errors to answer with. */
export type ValidatedOperation = { readonly ok: true; readonly document: DocumentNode } | { readonly ok: false; readonly errors: readonly GraphQLError[] };

/**
 * Parses and validates one WebSocket operation with the standard rules plus Verso's. In
 * production, "Did you mean …?" suggestions are stripped, as Apollo does for HTTP, so error
 * messages do not reveal the schema.
 */
export function validateOperation(schema: GraphQLSchema, query: string, production: boolean): ValidatedOperation {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_TOKENS });
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : 'Could not parse the query.';
    return { ok: false, errors: [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
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
