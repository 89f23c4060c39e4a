/** Users and the `me` query. */
import { builder } from '../builder.ts';
import type { Viewer } from '../context.ts';

export interface UserShape {
  readonly id: string;
  readonly name: string | null;
  readonly email: string;
}

export const UserRef = builder.objectRef<UserShape>('User').implement({
  description: 'A person with a Verso account.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier of the account.' }),
    name: t.exposeString('name', { nullable: true, description: 'Display name, if the person gave one.' }),
    email: t.exposeString('email', { description: 'Email address used to sign in.' }),
  }),
});

const viewerAsUser = (viewer: Viewer): UserShape => ({ id: viewer.userId, name: viewer.name, email: viewer.email });

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in account, or null when the request carries no valid session or API token.',
    resolve: (_root, _args, ctx) => (ctx.viewer ? viewerAsUser(ctx.viewer) : null),
  }),
}));
