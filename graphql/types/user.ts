/** Users and the `me` query. */
import { builder } from '../builder.ts';
import type { Viewer } from '../context.ts';

export interface UserShape {
  readonly id: string;
  readonly name: string | null;
  readonly email: string;
  /**
   * The one viewer allowed to see `email` through this object, set only where the address is
   * theirs to see: `me`, and the collaborators list of a document they own (owners share by
   * email). Everything else (authors of ops, revisions and blame, presence) leaves it unset.
   */
  readonly emailVisibleTo?: string;
}

export const UserRef = builder.objectRef<UserShape>('User').implement({
  description: 'A person with a Verso account.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier of the account.' }),
    name: t.exposeString('name', { nullable: true, description: 'Display name, if the person gave one.' }),
    // The one rule for addresses (issue 21 item 11): an email is shown to its owner, and to
    // owners of a document in its collaborators list; everyone else, and every history,
    // presence and authorship view, sees names only. It never depends on the viewer where the
    // object is shared between subscribers (op authors): there it is always null.
    email: t.string({
      nullable: true,
      description:
        'Email address used to sign in. Only shown to the account itself (`me`) and to owners of a document in its `collaborators` list; null everywhere else (authors, presence, history).',
      resolve: (user, _args, ctx) => (user.emailVisibleTo !== undefined && user.emailVisibleTo === ctx.viewer?.userId ? user.email : null),
    }),
  }),
});

const viewerAsUser = (viewer: Viewer): UserShape => ({ id: viewer.userId, name: viewer.name, email: viewer.email, emailVisibleTo: viewer.userId });

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in account, or null when the request carries no valid session or API token.',
    resolve: (_root, _args, ctx) => (ctx.viewer ? viewerAsUser(ctx.viewer) : null),
  }),
}));
