/**
 * Fixtures and parsers for file-serving tests: deterministic bytes, a strict
 * multipart/byteranges parser, header snapshots and raw HTTP/1.1 requests.
 *
 * @module
 */
import { assertEquals, assertOk } from "./assert.ts";

/** `length` deterministic pseudo-random bytes (xorshift32), different per `seed`. */
export function fixtureBytes(length: number, seed = 0x9e3779b9): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** One part of a multipart/byteranges body. */
export interface ByteRangePart {
  headers: Headers;
  start: number;
  end: number;
  size: number;
  bytes: Uint8Array;
}

const decoder = new TextDecoder();

function indexOf(haystack: Uint8Array, needle: string, from: number): number {
  const bytes = new TextEncoder().encode(needle);
  outer: for (let i = from; i <= haystack.length - bytes.length; i++) {
    for (let j = 0; j < bytes.length; j++) {
      if (haystack[i + j] !== bytes[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/**
 * Parses a multipart/byteranges body strictly (RFC 9110 §14.6, RFC 2046
 * framing): every delimiter, part header block and byte must be where the
 * Content-Range headers say, with nothing left over.
 */
export function parseByteRanges(body: Uint8Array, boundary: string): ByteRangePart[] {
  const parts: ByteRangePart[] = [];
  let pos = 0;
  const expect = (text: string) => {
    const got = decoder.decode(body.subarray(pos, pos + text.length));
    assertEquals(got, text, `at byte ${pos}`);
    pos += text.length;
  };
  for (;;) {
    expect(parts.length === 0 ? `--${boundary}` : `\r\n--${boundary}`);
    if (decoder.decode(body.subarray(pos, pos + 2)) === "--") {
      expect("--\r\n");
      break;
    }
    expect("\r\n");
    const headerEnd = indexOf(body, "\r\n\r\n", pos);
    assertOk(headerEnd !== -1, "part headers end");
    const lines = decoder.decode(body.subarray(pos, headerEnd)).split("\r\n");
    const headers = new Headers(lines.map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] as [string, string];
    }));
    pos = headerEnd + 4;
    const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers.get("content-range") ?? "");
    assertOk(match, `part Content-Range ${headers.get("content-range")}`);
    const [start, end, size] = [Number(match[1]), Number(match[2]), Number(match[3])];
    parts.push({ headers, start, end, size, bytes: body.subarray(pos, pos + end - start + 1) });
    pos += end - start + 1;
  }
  assertEquals(pos, body.length, "nothing after the closing delimiter");
  return parts;
}

/** The boundary parameter of a multipart Content-Type. */
export function boundaryOf(contentType: string | null): string {
  const match = /^multipart\/byteranges; boundary=("?)([^";]+)\1$/.exec(contentType ?? "");
  assertOk(match, `multipart content type: ${contentType}`);
  return match[2];
}

/** Response headers as a plain object, without the ever-changing `date`. */
export function headerSnapshot(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name !== "date") out[name] = value;
  return out;
}

/** What a raw HTTP/1.1 exchange returned. */
export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends `request` verbatim over a fresh TCP connection (for request targets
 * `fetch` would normalise) and reads until the server closes it. A reset
 * connection ends the response (status 0 when nothing came back).
 */
export async function rawRequest(port: number, request: string): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  try {
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } catch (error) {
    if (
      !(error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe)
    ) {
      throw error;
    }
  } finally {
    conn.close();
  }
  const text = decoder.decode(await new Blob(chunks).arrayBuffer());
  const split = text.indexOf("\r\n\r\n");
  const head = split === -1 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: split === -1 ? "" : text.slice(split + 4) };
}

/** `GET <target>` with `Connection: close`, as raw bytes. */
export function rawGet(target: string, method = "GET"): string {
  return `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
}
