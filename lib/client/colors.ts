/** Each person's colour (avatars, cursors, history authors): stable per user id, readable on white. */
const PALETTE = ['#d7263d', '#1b998b', '#2e86ab', '#f46036', '#7b2cbf', '#2a9d3f', '#c2185b', '#b8860b', '#3949ab', '#00838f'] as const;

export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length] ?? PALETTE[0];
}

/** One or two letters for an avatar. */
export function initials(name: string | null, fallback: string): string {
  const source = (name ?? '').trim() || fallback;
  const words = source.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? `${words[0]![0]}${words[words.length - 1]![0]}` : source.slice(0, 2);
  return letters.toUpperCase();
}
