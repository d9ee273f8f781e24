/** Small wording helpers shared by the screens. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** "14:05" today, "3 Dec, 14:05" before. */
export function when(iso: string): string {
  const date = new Date(iso);
  return new Date().toDateString() === date.toDateString()
    ? date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
