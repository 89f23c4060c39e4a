/** The API's scalars: JSON (a Delta or a selection) and DateTime (ISO-8601, server clock). */
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.ts';

builder.scalarType('JSON', {
  description: 'Any JSON value: a rich-text Delta (`{ "ops": [...] }`) or a selection (`{ "index", "length" }`).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node) => literalToJson(node),
});

builder.scalarType('DateTime', {
  description: 'An instant as an ISO-8601 string in UTC, from the server clock.',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    throw new GraphQLError('DateTime can only serialize Date values.');
  },
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (date === null || Number.isNaN(date.getTime())) {
      throw new GraphQLError('DateTime must be an ISO-8601 string such as "2026-01-31T12:00:00Z".', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return date;
  },
});

function literalToJson(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    case Kind.VARIABLE:
    case Kind.ENUM:
      throw new GraphQLError('JSON literals cannot contain variables or enum values; pass the value as a variable instead.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
  }
}
