/**
 * Each person's colour (avatars, cursors, history authors): stable per user id, dark enough for
 * white text. A hue from an FNV-1a hash of the id, so two people rarely look alike.
 */
export function colorFor(userId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193);
  const hue = (hash >>> 0) % 360;
  // Yellows and greens look pale at one lightness; darken them a little more.
  const lightness = hue > 40 && hue < 170 ? 32 : 42;
  return `hsl(${hue} 70% ${lightness}%)`;
}

/** One or two letters for an avatar. */
export function initials(name: string | null, fallback: string | null): string {
  const source = (name ?? '').trim() || fallback || '?';
  const words = source.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? `${words[0]![0]}${words[words.length - 1]![0]}` : source.slice(0, 2);
  return letters.toUpperCase();
}
