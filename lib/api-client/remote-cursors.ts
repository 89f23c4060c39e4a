/**
 * Other people's cursors and selections drawn over a Quill editor, each in its person's colour
 * with their name. Positions come from the collab session, already in local document
 * coordinates; call `update` whenever they change and `refresh` when the layout may have moved
 * (text changed, the editor scrolled or resized).
 */
import type Quill from 'quill';
import { colorFor } from './colors.ts';
import type { Peer } from './collab-session.ts';

/** Widest a name label may be (globals.css caps it at 10rem ≈ 160 px). */
const REMOTE_NAME_MAX_PX = 164;

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

function domPoint(quill: Quill, index: number): { node: Node; offset: number } | null {
  const [leaf, offset] = quill.getLeaf(index);
  if (!leaf) return null;
  const node = leaf.domNode;
  if (node.nodeType === Node.TEXT_NODE) return { node, offset: Math.min(offset, (node as Text).length) };
  const parent = node.parentNode;
  if (!parent) return null;
  const position = Array.prototype.indexOf.call(parent.childNodes, node) as number;
  return { node: parent, offset: position + (offset > 0 ? 1 : 0) };
}

/** One rectangle per line box of the text from `from` to `to`, relative to the editor's container. */
export function rangeRects(quill: Quill, from: number, to: number): Rect[] {
  const start = domPoint(quill, from);
  const end = domPoint(quill, to);
  if (!start || !end) {
    const bounds = quill.getBounds(from, to - from);
    return bounds ? [bounds] : [];
  }
  const range = document.createRange();
  range.setStart(start.node, start.offset);
  range.setEnd(end.node, end.offset);
  const origin = quill.container.getBoundingClientRect();
  return [...range.getClientRects()]
    .filter((r) => r.width > 0)
    .map((r) => ({ left: r.left - origin.left, top: r.top - origin.top, width: r.width, height: r.height }));
}

/**
 * A layer drawn over a Quill editor's text that takes no input, redrawn at most once a frame
 * (several changes in one frame draw once) and when the editor scrolls. Subclasses draw into
 * `layer` in `draw`.
 */
export abstract class EditorOverlay {
  protected readonly quill: Quill;
  protected readonly layer: HTMLDivElement;
  #frame = 0;
  readonly #onScroll = () => this.refresh();

  constructor(quill: Quill, className: string) {
    this.quill = quill;
    this.layer = document.createElement('div');
    this.layer.className = className;
    this.layer.setAttribute('aria-hidden', 'true');
    quill.container.appendChild(this.layer);
    quill.root.addEventListener('scroll', this.#onScroll);
  }

  /** Redraws on the next frame. */
  refresh(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.draw();
    });
  }

  destroy(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.quill.root.removeEventListener('scroll', this.#onScroll);
    this.layer.remove();
  }

  protected abstract draw(): void;
}

export class RemoteCursors extends EditorOverlay {
  #peers: Peer[] = [];

  constructor(quill: Quill) {
    super(quill, 'remote-cursors');
  }

  update(peers: Iterable<Peer>): void {
    this.#peers = [...peers].filter((p) => p.selection !== null);
    this.refresh();
  }

  protected draw(): void {
    const fragment = document.createDocumentFragment();
    const length = this.quill.getLength();
    for (const peer of this.#peers) {
      const selection = peer.selection;
      if (!selection) continue;
      const index = Math.min(selection.index, Math.max(0, length - 1));
      const end = Math.min(index + selection.length, Math.max(0, length - 1));
      const color = colorFor(peer.userId);
      const cursor = document.createElement('div');
      cursor.className = 'remote-cursor';
      cursor.dataset.clientId = peer.clientId;
      cursor.dataset.userId = peer.userId; // a peer is (user, clientId): two people may share a clientId
      cursor.style.setProperty('--cursor-color', color);
      if (end > index) {
        for (const rect of rangeRects(this.quill, index, end)) {
          const box = document.createElement('div');
          box.className = 'remote-selection';
          Object.assign(box.style, { left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px` });
          cursor.appendChild(box);
        }
      }
      const caret = this.quill.getBounds(end, 0);
      if (!caret) continue;
      const line = document.createElement('div');
      line.className = 'remote-caret';
      Object.assign(line.style, { left: `${caret.left}px`, top: `${caret.top}px`, height: `${caret.height}px` });
      const flag = document.createElement('div');
      flag.className = 'remote-caret-name';
      flag.textContent = peer.name ?? 'Someone';
      // Near the right edge the name grows leftwards from the caret, so it is never cut off
      // (its width is capped by --remote-name-max in globals.css).
      if (caret.left > this.quill.container.clientWidth - REMOTE_NAME_MAX_PX) flag.classList.add('toward-left');
      line.appendChild(flag);
      cursor.appendChild(line);
      fragment.appendChild(cursor);
    }
    this.layer.replaceChildren(fragment);
  }
}
