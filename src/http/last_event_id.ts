/**
 * The id a reconnecting SSE client last saw: the `Last-Event-ID` header
 * (sent by `EventSource` on reconnect) or, for a first connection that wants
 * to resume, the `lastEventId` query parameter. `null` when absent or
 * unusable (longer than 200 characters or containing control characters);
 * callers still validate the shape they expect.
 */
export function lastEventId(headers: Headers, params: URLSearchParams): string | null {
  const raw = headers.get("last-event-id") ?? params.get("lastEventId");
  if (raw === null || raw === "" || raw.length > 200) return null;
  for (const char of raw) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return null;
  }
  return raw;
}

/**
 * A `Last-Event-ID` that must be a whole number within `0..max`, else
 * `null` (the stream then starts from the beginning).
 */
export function lastEventIndex(id: string | null, max: number): number | null {
  if (id === null || !/^\d{1,9}$/.test(id)) return null;
  const value = Number(id);
  return value <= max ? value : null;
}
