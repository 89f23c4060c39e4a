'use client';
/**
 * The "Comment" button beside a selection (issue 17), as in Google Docs: while someone who may
 * comment has text selected in the editor, a small button floats just above the selection's first
 * line (below it on the document's first line), positioned from Quill's `getBounds` in the
 * editor's container, so it scrolls with the text. It hides when the selection collapses or
 * leaves the editor, except while the button itself has the focus.
 *
 * Keyboard: the button sits in the container before the text, so Shift+Tab from a selection
 * (Quill keeps Tab for itself) focuses it and Enter opens the comment; Ctrl+Alt+M does the same.
 */
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import type Quill from 'quill';
import { carryRange, type TextRange } from '@/lib/ot/anchor.ts';
import type { Delta } from '@/lib/ot/operation.ts';

export interface SelectionCommentButtonProps {
  readonly quillRef: RefObject<Quill | null>;
  /** Whether the person may comment; the button is never shown otherwise. */
  readonly canComment: boolean;
  /** Opens the new-thread form on `range` (the same form as the sidebar's Comment button). */
  readonly onComment: (range: TextRange) => void;
}

/** Space between the button and the selected line, and the least from the container's edges. */
const MARGIN = 4;

export function SelectionCommentButton({ quillRef, canComment, onComment }: SelectionCommentButtonProps) {
  const [host, setHost] = useState<HTMLElement | null>(null);
  const [range, setRange] = useState<TextRange | null>(null);
  /** The range now, carried over text changes while the button has the focus (state lags a render). */
  const rangeRef = useRef<TextRange | null>(null);
  const [position, setPosition] = useState<{ left: number; top: number } | null>(null);
  /** Bumped when the layout may have moved (text changed, scrolled, resized): position again. */
  const [layout, setLayout] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);

  // A host in the editor's container, before the text: positioned like the highlights, and
  // reached by Shift+Tab from the text.
  useEffect(() => {
    const quill = quillRef.current;
    if (!quill || !canComment) return;
    const element = document.createElement('div');
    element.className = 'comment-selection-host';
    quill.container.insertBefore(element, quill.root);
    setHost(element);
    return () => {
      element.remove();
      setHost(null);
    };
  }, [quillRef, canComment]);

  useEffect(() => {
    const quill = quillRef.current;
    if (!quill || !canComment) return;
    const show = (next: TextRange | null) => {
      rangeRef.current = next;
      setRange(next);
    };
    const onSelection = (selected: { index: number; length: number } | null) => {
      if (selected && selected.length > 0) show({ index: selected.index, length: selected.length });
      else if (selected || document.activeElement !== buttonRef.current) show(null);
    };
    const onText = (delta: Delta) => {
      if (rangeRef.current !== null && document.activeElement === buttonRef.current) show(carryRange(rangeRef.current, delta));
      setLayout((n) => n + 1);
    };
    const onLayout = () => setLayout((n) => n + 1);
    quill.on('selection-change', onSelection);
    quill.on('text-change', onText);
    quill.root.addEventListener('scroll', onLayout);
    const resize = new ResizeObserver(onLayout);
    resize.observe(quill.root);
    const current = quill.getSelection();
    if (current && current.length > 0) show({ index: current.index, length: current.length });
    return () => {
      quill.off('selection-change', onSelection);
      quill.off('text-change', onText);
      quill.root.removeEventListener('scroll', onLayout);
      resize.disconnect();
      show(null);
    };
  }, [quillRef, canComment]);

  // Above the selection's first line, at its start, kept inside the container.
  useLayoutEffect(() => {
    const quill = quillRef.current;
    const button = buttonRef.current;
    if (!quill || !button || !range) {
      setPosition(null);
      return;
    }
    const last = Math.max(0, quill.getLength() - 1);
    const start = quill.getBounds(Math.min(range.index, last), 0);
    const whole = quill.getBounds(Math.min(range.index, last), Math.max(0, Math.min(range.length, last - range.index)));
    if (!start || !whole) {
      setPosition(null);
      return;
    }
    const width = quill.container.clientWidth;
    const left = Math.max(MARGIN, Math.min(start.left, width - button.offsetWidth - MARGIN));
    const above = start.top - button.offsetHeight - MARGIN;
    const top = above >= MARGIN ? above : whole.bottom + MARGIN;
    setPosition((old) => (old && old.left === left && old.top === top ? old : { left, top }));
  }, [quillRef, range, layout]);

  if (!host || !range) return null;
  return createPortal(
    <button
      ref={buttonRef}
      type="button"
      className="button primary comment-selection-button"
      aria-label="Comment on the selected text"
      aria-keyshortcuts="Control+Alt+M"
      title="Comment on the selected text (Ctrl+Alt+M)"
      data-testid="selection-comment-button"
      style={position ? { left: position.left, top: position.top } : { visibility: 'hidden' }}
      // Keeps the editor's selection (and focus) when pressed with the mouse.
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => {
        const now = rangeRef.current;
        if (now && now.length > 0) onComment(now);
      }}
      onBlur={() => {
        // Left by the keyboard for somewhere else than the text: nothing is selected any more.
        const selected = quillRef.current?.getSelection() ?? null;
        if (!selected || selected.length === 0) {
          rangeRef.current = null;
          setRange(null);
        }
      }}
    >
      Comment
    </button>,
    host,
  );
}
