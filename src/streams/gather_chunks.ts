/**
 * Joins parts smaller than `size` (headers, padding, small files) into
 * chunks of at least `size` bytes, so an archive of many small files is not
 * written in thousands of tiny pieces. Order and bytes are unchanged; a part
 * of `size` or more passes on as it is. Pull-based: it holds at most one
 * chunk's worth of parts.
 *
 * @example
 * ```ts
 * ReadableStream.from(gatherChunks(parts(), 64 * 1024));
 * ```
 */
export async function* gatherChunks(
  parts: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  const flush = () => {
    const joined = new Uint8Array(pendingLength);
    let at = 0;
    for (const part of pending) {
      joined.set(part, at);
      at += part.length;
    }
    pending = [];
    pendingLength = 0;
    return joined;
  };
  for await (const part of parts) {
    if (part.length >= size) {
      if (pendingLength > 0) yield flush();
      yield part;
      continue;
    }
    pending.push(part);
    pendingLength += part.length;
    if (pendingLength >= size) yield flush();
  }
  if (pendingLength > 0) yield flush();
}
