/**
 * Lost publishes reach live subscribers anyway (rule F6 in ./SPEC.md; issue 14 item 4). An op is
 * published after its commit [S7]; if the publish is lost (the committing instance crashed after
 * COMMIT, Redis refused or dropped it) and nothing else happens on the document, no later op
 * reveals the gap to an op feed. So each process watches the documents it has feeds on: every
 * `intervalMs` one store read (`headVersions`, one statement for all of them) compares each
 * feed's last delivered version with the stored head, and a feed still behind a head it was
 * already behind at the previous round is refilled from the store. Publishes in flight are
 * never refilled for (they catch up within a round); a lost one reaches its subscribers within
 * two rounds plus one store read. Cost: one query per round per process, whatever the number of
 * documents, and none while no feed is open.
 */
import type { OpStore } from './op-store.ts';

/** What the watch needs of a feed (lib/collab/op-feed.ts's OpFeed). */
export interface WatchedFeed {
  /** The version of the last op delivered. */
  readonly version: number;
  /** Reads the store for ops after `version` [F5]. */
  refill(): void;
}

export interface HeadWatchOptions {
  readonly store: Pick<OpStore, 'headVersions'>;
  /** Milliseconds between rounds (HEAD_RECHECK_MS). */
  readonly intervalMs: number;
  /** A round's read failed (logged; the next round tries again). */
  readonly onError?: (error: unknown) => void;
  /** Heard after each round (tests, metrics): how many documents were read and feeds refilled. */
  readonly onRound?: (round: { readonly documents: number; readonly refilled: number }) => void;
}

export interface HeadWatch {
  /** Watches `feed` of `documentId` until the returned function is called. */
  watch(documentId: string, feed: WatchedFeed): () => void;
  /** Stops every round (shutdown, tests). */
  close(): void;
}

/** Creates a watch; its timer runs only while some feed is watched, and never keeps the process alive. */
export function createHeadWatch(options: HeadWatchOptions): HeadWatch {
  const feeds = new Map<string, Map<WatchedFeed, number>>(); // document → feed → head it was behind at the last round (0: not behind)
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const schedule = () => {
    if (timer || closed || feeds.size === 0) return;
    timer = setTimeout(() => void round(), options.intervalMs);
    timer.unref?.();
  };

  async function round(): Promise<void> {
    try {
      const documentIds = [...feeds.keys()];
      const heads = await options.store.headVersions(documentIds);
      let refilled = 0;
      for (const [documentId, watched] of feeds) {
        const head = heads.get(documentId);
        if (head === undefined) continue;
        for (const [feed, behindAt] of watched) {
          if (feed.version >= head) {
            watched.set(feed, 0);
            continue;
          }
          // Behind now; still behind a head it was behind a round ago: that publish was lost.
          if (behindAt > 0 && feed.version < behindAt) {
            feed.refill();
            refilled++;
          }
          watched.set(feed, head);
        }
      }
      options.onRound?.({ documents: documentIds.length, refilled });
    } catch (error) {
      options.onError?.(error);
    } finally {
      timer = null;
      schedule();
    }
  }

  return {
    watch(documentId, feed) {
      let watched = feeds.get(documentId);
      if (!watched) feeds.set(documentId, (watched = new Map()));
      watched.set(feed, 0);
      schedule();
      return () => {
        const current = feeds.get(documentId);
        current?.delete(feed);
        if (current?.size === 0) feeds.delete(documentId);
      };
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      feeds.clear();
    },
  };
}
