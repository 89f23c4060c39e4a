/**
 * `myDocumentRole`: the viewer's role on a document, live (issue 19). An open editor follows it so
 * that a promotion enables editing and a demotion makes the text read-only within a second,
 * instead of the person finding out by typing into a refusal.
 *
 * Re-read whenever access to the document changes (the access channel every instance listens
 * to), whenever the Redis subscriber comes back, and at least every ACCESS_RECHECK_MS in case an
 * access message was lost (graphql/access-recheck.ts). Ends like the op stream when access is gone.
 */
import type { GraphQLError } from 'graphql';
import type { DocumentRole } from '../../lib/auth/permissions.ts';
import { onAccessMaybeChanged } from '../access-recheck.ts';
import { authorizeDocument } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { liveStream, unwrapItem } from '../live-stream.ts';
import { RoleEnum } from './document.ts';

async function subscribeRole(ctx: GraphQLContext, documentId: string) {
  const { role: initial } = await authorizeDocument(ctx, documentId, 'read');
  return liveStream<DocumentRole>(ctx, {
    async start(push, fail) {
      let last: DocumentRole | null = null;
      const emit = (role: DocumentRole) => {
        if (role === last) return;
        last = role;
        push(role);
      };
      // Reads may overlap (two changes in a row): only the latest read's answer counts.
      let reads = 0;
      const check = () => {
        const read = ++reads;
        authorizeDocument(ctx, documentId, 'read').then(
          ({ role }) => read === reads && emit(role),
          (error: unknown) => read === reads && fail(error as GraphQLError),
        );
      };
      emit(initial);
      const stop = await onAccessMaybeChanged(ctx, documentId, (roundGrant) => {
        // A round that found the role unchanged needs no second read.
        if (roundGrant && roundGrant.role === last && !roundGrant.deleted) return;
        check();
      });
      // A change between the first read and listening: read once more.
      check();
      return stop;
    },
  });
}

builder.subscriptionFields((t) => ({
  myDocumentRole: t.field({
    type: RoleEnum,
    description:
      'Your role on the document: first the current one, then each change (within about a second of it, and rechecked at least every 15 s). ' +
      'Ends with NOT_FOUND when you can no longer read the document (removed, or it went to the trash).',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    subscribe: (_root, args, ctx) => subscribeRole(ctx, String(args.documentId)),
    resolve: (item) => unwrapItem(item),
  }),
}));
