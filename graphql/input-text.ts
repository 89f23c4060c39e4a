/**
 * One rule for every text argument of the schema: a String or ID argument (at any depth of an
 * input object or list) holding a control character other than tab, line feed or carriage return
 * answers BAD_USER_INPUT before its resolver runs, so no field can reach a lookup, a hash or a
 * write with one (PostgreSQL refuses NUL in text, which used to surface as a 500). JSON arguments
 * (deltas, selections) are not text arguments and are validated by their own fields.
 */
import {
  defaultFieldResolver,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { hasControlCharacters } from '../lib/auth/text.ts';
import { userError } from './errors.ts';

/** The path of the first text value with a control character, or null. */
function offending(type: GraphQLInputType, value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return offending(type.ofType, value, path);
  if (isListType(type)) {
    if (!Array.isArray(value)) return offending(type.ofType, value, path);
    for (let i = 0; i < value.length; i += 1) {
      const found = offending(type.ofType, value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    for (const [name, field] of Object.entries(fields)) {
      const found = offending(field.type, (value as Record<string, unknown>)[name], `${path}.${name}`);
      if (found) return found;
    }
    return null;
  }
  if (isScalarType(type) && (type.name === 'String' || type.name === 'ID') && typeof value === 'string' && hasControlCharacters(value)) return path;
  return null;
}

function holdsText(type: GraphQLInputType, seen = new Set<string>()): boolean {
  if (isNonNullType(type) || isListType(type)) return holdsText(type.ofType, seen);
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return false;
    seen.add(type.name);
    return Object.values(type.getFields()).some((f) => holdsText(f.type, seen));
  }
  return isScalarType(type) && (type.name === 'String' || type.name === 'ID');
}

function guarded<TSource, TArgs extends Record<string, unknown>>(
  args: readonly GraphQLArgument[],
  inner: GraphQLFieldResolver<TSource, unknown, TArgs>,
): GraphQLFieldResolver<TSource, unknown, TArgs> {
  return (source, values, context, info) => {
    for (const arg of args) {
      const path = offending(arg.type, values[arg.name], arg.name);
      if (path) {
        throw userError('BAD_USER_INPUT', `\`${path}\` contains a control character (such as NUL); remove it and send the text again.`, { argument: path });
      }
    }
    return inner(source, values, context, info);
  };
}

/** Installs the rule on every field of the schema that takes text arguments; returns the same schema. */
export function refuseControlCharacters(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const textArgs = field.args.filter((a) => holdsText(a.type));
      if (textArgs.length === 0) continue;
      field.resolve = guarded(textArgs, field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guarded(textArgs, field.subscribe);
    }
  }
  return schema;
}
