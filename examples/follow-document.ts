/**
 * An integration you can copy: follow a Verso document from Node with an API token, make one
 * edit, and print everyone else's edits as they arrive.
 *
 *   VERSO_URL=http://localhost:3000 VERSO_TOKEN=verso_… npx tsx examples/follow-document.ts <documentId>
 *
 * Create the token in the web app (Settings → API tokens) or with the `createApiToken`
 * mutation. The script uses the same collab client as the web editor: ops are sent one at a
 * time, transformed over concurrent edits, resent after a reconnect, and never applied twice.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CollabSession } from '../lib/api-client/collab-session.ts';
import { Delta } from '../lib/ot/operation.ts';

const baseUrl = process.env.VERSO_URL ?? 'http://localhost:3000';
const token = process.env.VERSO_TOKEN;
const documentId = process.argv[2];
const durationMs = Number(process.env.FOLLOW_FOR_MS ?? 0); // 0: until Ctrl-C

if (!token || !documentId) {
  console.error('usage: VERSO_TOKEN=<api token> [VERSO_URL=http://localhost:3000] npx tsx examples/follow-document.ts <documentId>');
  process.exit(2);
}

const client = createClient({
  url: baseUrl.replace(/^http/, 'ws') + '/api/graphql',
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: Infinity,
  shouldRetry: () => true,
});

/**
 * The op that adds `text` as a new last paragraph. Text may not follow the document's final
 * newline, and a paragraph's formats live on its closing newline, so: a newline carrying the
 * last paragraph's formats closes it, then the text, and the final newline loses those formats
 * (the new line is plain). An empty last line (a new document) is filled instead.
 */
function appendLine(document: Delta, text: string): Delta {
  const all = plainText(document);
  const end = document.length() - 1;
  if (all === '\n' || all.endsWith('\n\n')) return new Delta().retain(end).insert(text);
  const formats = document.slice(end).ops[0]?.attributes ?? {};
  const cleared = Object.fromEntries(Object.keys(formats).map((name) => [name, null]));
  const op = new Delta().retain(end).insert('\n', formats).insert(text);
  return Object.keys(cleared).length > 0 ? op.retain(1, cleared) : op;
}

const plainText = (delta: Delta) => delta.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');

let session: CollabSession;
try {
  session = await CollabSession.open({
    client,
    documentId,
    presence: false,
    onRemoteOp: (op, { version }) => console.log(`v${version} remote edit ${JSON.stringify(op.ops)}`),
    onStatus: (status) => console.log(`status: ${status.indicator.kind}${'pendingEdits' in status.indicator ? ` (${status.indicator.pendingEdits} pending)` : ''}`),
    onFatal: ({ code, message }) => {
      console.error(`stopped: ${code}: ${message}`);
      process.exit(1);
    },
  });
} catch (error) {
  console.error(`could not open ${documentId}: ${(error as Error).message}`);
  process.exit(1);
}

console.log(`opened "${session.title}" at version ${session.version} as ${session.role}:\n${plainText(session.document)}`);
if (session.role === 'OWNER' || session.role === 'EDITOR') {
  const text = `Hello from an integration at ${new Date().toISOString()}`;
  const result = session.applyLocal(appendLine(session.document, text));
  console.log(result.kind === 'applied' ? 'sent one edit (appended a line)' : `edit refused: ${result.message}`);
}

const stop = async () => {
  await session.close();
  await client.dispose();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
if (durationMs > 0) setTimeout(() => void stop(), durationMs);
