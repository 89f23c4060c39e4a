/**
 * One tab, one WebSocket (review of issues 17 and 18): the editor, the history panel and the live
 * comments share the page's graphql-ws connection (lib/api-client/ws-client.ts). Counted in the
 * page, by wrapping the WebSocket constructor before the app's scripts run. Going offline and back
 * replaces that one socket, and the editor, the comments and the history panel carry on over it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { caretToEnd, createDocument, graphqlAs, serverText, signUp, until, type Person } from './support.ts';

let uma: Person;
let documentId: string;

/** GraphQL sockets the page has made so far, how many are open, and how many not closed or closing (open or connecting). */
function sockets(page: Page): Promise<{ created: number; open: number; live: number }> {
  return page.evaluate(() => {
    const all = (window as unknown as { __graphqlSockets: WebSocket[] }).__graphqlSockets;
    const count = (...states: number[]) => all.filter((s) => states.includes(s.readyState)).length;
    return { created: all.length, open: count(WebSocket.OPEN), live: count(WebSocket.OPEN, WebSocket.CONNECTING) };
  });
}

const status = (page: Page) => page.getByTestId('save-status').textContent();

beforeAll(async () => {
  uma = await signUp('Uma Underwood');
  await uma.context.addInitScript(() => {
    const seen: WebSocket[] = [];
    (window as unknown as { __graphqlSockets: WebSocket[] }).__graphqlSockets = seen;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        if (String(url).includes('/api/graphql')) seen.push(this);
      }
    };
  });
  documentId = await createDocument(uma, 'One socket');
});

afterAll(async () => {
  await uma?.context.close();
});

describe('one WebSocket per tab', () => {
  it('the editor, the live comments and the history panel share one socket, across going offline and back', async () => {
    const { page } = uma;
    await caretToEnd(page);
    await page.keyboard.type('Shared socket.', { delay: 5 });
    await until(() => status(page), (t) => t === 'Saved', 'Saved');
    await page.getByRole('button', { name: 'History' }).click();
    const panel = page.getByRole('complementary', { name: 'History' });
    await until(() => panel.locator('.revision').count(), (n) => n >= 1, 'a history entry');
    // The comments sidebar is open by default and follows commentThreadChanged.
    await page.getByTestId('comments-sidebar').waitFor();
    await until(() => sockets(page), (s) => s.open === 1, 'the socket to be open');
    expect(await sockets(page)).toEqual({ created: 1, open: 1, live: 1 });

    await uma.context.setOffline(true);
    await until(() => status(page), (t) => (t ?? '').startsWith('Offline'), 'the editor to say it is offline');
    await caretToEnd(page); // the History button has the focus
    await page.keyboard.type(' Typed offline.', { delay: 5 });
    await until(() => status(page), (t) => /^Offline — \d+ changes? pending$/.test(t ?? ''), 'the edits to be pending');
    await uma.context.setOffline(false);
    await until(() => status(page), (t) => t === 'Saved', 'Saved after reconnecting');
    // The reconnect may take more than one attempt; one socket at a time all the same.
    expect(await sockets(page)).toMatchObject({ open: 1, live: 1 });
    expect((await serverText(uma, documentId)).text).toBe('Shared socket. Typed offline.');

    // The comments stream came back over the same socket: a thread opened through the API shows.
    await graphqlAs(uma, 'mutation($i: CreateCommentThreadInput!) { createCommentThread(input: $i) { id } }', {
      i: { documentId, version: (await serverText(uma, documentId)).version, index: 0, length: 6, body: 'Seen live after the reconnect' },
    });
    await page.getByText('Seen live after the reconnect').waitFor();
    expect(await sockets(page)).toMatchObject({ open: 1, live: 1 });
  });
});
