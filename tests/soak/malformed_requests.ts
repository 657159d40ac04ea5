/**
 * A seeded generator of malformed HTTP/1.1 requests for the soak test: bad
 * request lines, broken headers and framing, hostile paths and ranges, and
 * random bytes. Each must get a 4xx or a closed connection, never a 5xx.
 *
 * @module
 */

/** A deterministic PRNG (mulberry32): the same seed gives the same requests. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encoder = new TextEncoder();

const TEMPLATES: ((rand: () => number) => string | Uint8Array)[] = [
  (rand) => Uint8Array.from({ length: 1 + Math.floor(rand() * 300) }, () => rand() * 256),
  () => "GET  HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "GET /%zz%ff HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
  () => "GET / HTTP/1.1\r\nHost x\r\nNo-Colon-Here\r\n\r\n",
  (rand) => `GET /${"a".repeat(4000 + Math.floor(rand() * 8000))} HTTP/1.1\r\nHost: x\r\n\r\n`,
  () => `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(70_000)}\r\n\r\n`,
  () => "GET /small.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=oops\r\n\r\n",
  () =>
    `GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=${
      Array.from({ length: 500 }, (_, i) => `${i * 3}-${i * 3 + 1}`).join(",")
    }\r\n\r\n`,
  () => "GET /small.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: yesterday-ish\r\n\r\n",
  () => "PUT /up/x.bin HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nhello",
  () => "PUT /up/x.bin HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
  () => "PUT /up/y.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n",
  () => "PUT /up/.sluice-upload-evil HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx",
  () => "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "MOVE /up/a.bin HTTP/1.1\r\nHost: x\r\nDestination: http://elsewhere/../../x\r\n\r\n",
  () => "GET /dir/?download=rar HTTP/1.1\r\nHost: x\r\n\r\n",
  () => `GET /dir/?q=${"q".repeat(300)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  () => "GET /_/sse/countdown?from=-5 HTTP/1.1\r\nHost: x\r\n\r\n",
  () => "GET / HTTP/1.1\r\nHost: [::bad\r\n\r\n",
];

/** One malformed request drawn with `rand`, as the bytes to send. */
export function malformedRequest(rand: () => number): Uint8Array {
  const template = TEMPLATES[Math.floor(rand() * TEMPLATES.length)];
  const request = template(rand);
  return typeof request === "string" ? encoder.encode(request) : request;
}
