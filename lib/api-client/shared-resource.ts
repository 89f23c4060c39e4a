/**
 * One resource shared by every part of a page that needs it, reference-counted: the first
 * `acquire()` opens it, each holder gives it back with its own `release()`, and it is closed once
 * nobody holds it. The last release closes it on the next macrotask, not at once: React runs all
 * of a commit's effect cleanups before its new effects, so a component tree that re-renders (or
 * re-mounts in development) gives the resource back and takes it again within one task, and must
 * find it still open rather than make a new one.
 */
export interface Held<T> {
  readonly value: T;
  /** Gives this hold back; calling it again does nothing. */
  release(): void;
}

export interface SharedResource<T> {
  acquire(): Held<T>;
  /** How many holds are out now (0 while closing or closed). */
  readonly holders: number;
}

/**
 * Shares what `open` makes; `close` ends it once the last holder released it. `defer` schedules
 * that close (default: `setTimeout(fn, 0)`); a hold taken before it runs keeps the resource open.
 */
export function sharedResource<T>(open: () => T, close: (value: T) => void, defer: (fn: () => void) => void = (fn) => void setTimeout(fn, 0)): SharedResource<T> {
  let current: { value: T; holders: number } | null = null;
  return {
    acquire() {
      current ??= { value: open(), holders: 0 };
      const entry = current;
      entry.holders += 1;
      let released = false;
      return {
        value: entry.value,
        release() {
          if (released) return;
          released = true;
          entry.holders -= 1;
          if (entry.holders > 0) return;
          defer(() => {
            if (entry.holders > 0 || current !== entry) return;
            current = null;
            close(entry.value);
          });
        },
      };
    },
    get holders() {
      return current?.holders ?? 0;
    },
  };
}
