/** The root types; each domain module adds its fields with `builder.queryFields` etc. */
import { builder } from '../builder.ts';

builder.queryType({ description: 'Entry points for reading.' });
builder.mutationType({ description: 'Entry points for changing things.' });
builder.subscriptionType({ description: 'Live streams, over WebSocket (graphql-transport-ws).' });
