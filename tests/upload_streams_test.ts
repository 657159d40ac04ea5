import fc from "fast-check";
import { createHash } from "node:crypto";
import { expectedDigests, formatReprDigest, parseDigestField } from "../src/http/digest.ts";
import { HttpError } from "../src/http/http_error.ts";
import { checkWritablePath } from "../src/path/check_writable_path.ts";
import { ByteLimitStream } from "../src/streams/byte_limit_stream.ts";
import { DigestStream } from "../src/streams/digest_stream.ts";
import { BufferPool, pooledChunks } from "../src/streams/pooled_chunk_stream.ts";
import { assertEquals, assertOk, assertRejects, assertThrows } from "./helpers/assert.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const b64 = (algorithm: string, s: string) => createHash(algorithm).update(s).digest("base64");

Deno.test("parseDigestField() reads RFC 9530 dictionaries", async (t) => {
  // RFC 9530 §B.1: the SHA-256 of {"hello": "world"}.
  const example = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";
  const cases: [string, string[]][] = [
    [`sha-256=:${example}:`, ["sha256"]],
    [`sha-512=:${b64("sha512", "x")}:, sha-256=:${example}:`, ["sha512", "sha256"]],
    [`md5=:${b64("md5", "x")}:`, []], // insecure algorithms are ignored
    [`unixsum=:AAAA:`, []],
    [`sha-256=:${example}:;param=1`, ["sha256"]],
  ];
  for (const [value, algorithms] of cases) {
    await t.step(value.slice(0, 40), () => {
      assertEquals(Object.keys(parseDigestField(value, "Repr-Digest")), algorithms);
    });
  }
  const parsed = parseDigestField(`sha-256=:${example}:`, "Repr-Digest").sha256!;
  assertEquals(formatReprDigest(parsed), `sha-256=:${example}:`);
});

Deno.test("parseDigestField() answers 400 for malformed members", async (t) => {
  for (
    const value of [
      "sha-256=abc",
      "sha-256=:not base64!:",
      `sha-256=:${b64("md5", "x")}:`, // wrong length for SHA-256
      "SHA-256=:AAAA:",
    ]
  ) {
    await t.step(
      value,
      () => assertThrows(() => parseDigestField(value, "Repr-Digest"), HttpError),
    );
  }
});

Deno.test("expectedDigests() merges fields and rejects contradictions", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  const ok = expectedDigests(headers({
    "content-digest": `sha-256=:${b64("sha256", "a")}:`,
    "repr-digest": `sha-256=:${b64("sha256", "a")}:`,
    "content-md5": b64("md5", "a"),
  }));
  assertEquals(Object.keys(ok).sort(), ["md5", "sha256"]);
  assertThrows(
    () =>
      expectedDigests(headers({
        "content-digest": `sha-256=:${b64("sha256", "a")}:`,
        "repr-digest": `sha-256=:${b64("sha256", "b")}:`,
      })),
    HttpError,
  );
  assertEquals(expectedDigests(headers({})), {});
});

Deno.test("ByteLimitStream() passes up to the limit and errors with 413 past it", async () => {
  const under = ReadableStream.from([bytes("abc"), bytes("de")]).pipeThrough(
    new ByteLimitStream(5),
  );
  assertEquals((await Array.fromAsync(under)).length, 2);
  const limit = new ByteLimitStream(5);
  const chunks: Uint8Array[] = [];
  const over = ReadableStream.from([bytes("abc"), bytes("def"), bytes("never")]).pipeThrough(
    limit,
  );
  await assertRejects(async () => {
    for await (const chunk of over) chunks.push(chunk);
  }, HttpError);
  assertEquals(chunks.length, 1);
  assertEquals(limit.bytes, 6);
});

Deno.test("DigestStream() hashes what passes without changing it", async () => {
  const digest = new DigestStream(["sha256", "md5"]);
  const out = await Array.fromAsync(
    ReadableStream.from([bytes("hel"), bytes("lo")]).pipeThrough(digest),
  );
  assertEquals(out, [bytes("hel"), bytes("lo")]);
  const result = digest.digests();
  assertEquals(btoa(String.fromCharCode(...result.sha256!)), b64("sha256", "hello"));
  assertEquals(btoa(String.fromCharCode(...result.md5!)), b64("md5", "hello"));
  assertThrows(() => new DigestStream(["sha256"]).digests(), TypeError);
});

/** A byte stream (as a request body is) that delivers `parts` one per pull. */
function byteStream(parts: Uint8Array[], onCancel: (reason: unknown) => void = () => {}) {
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      if (i < parts.length) return controller.enqueue(parts[i++].slice());
      controller.close();
      // A pending BYOB read settles only once its request is answered.
      controller.byobRequest?.respond(0);
    },
    cancel: onCancel,
  });
}

const concat = (chunks: Uint8Array[]) => new Uint8Array(chunks.flatMap((c) => [...c]));

Deno.test("pooledChunks() property: same bytes, each chunk at most the pool's size, none empty", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 20 }),
      fc.integer({ min: 1, max: 700 }),
      fc.boolean(),
      async (parts, size, recycle) => {
        const pool = new BufferPool(size, 2);
        const chunks: Uint8Array[] = [];
        for await (const chunk of pooledChunks(byteStream(parts), pool)) {
          chunks.push(chunk.slice());
          // A consumer done with a chunk may give it back: later chunks reuse it.
          if (recycle) pool.give(chunk.buffer);
        }
        assertEquals(concat(chunks), concat(parts));
        assertOk(chunks.every((c) => c.length > 0 && c.length <= size));
      },
    ),
  );
});

Deno.test("pooledChunks() passes on what arrived without waiting to fill a buffer", async () => {
  let pulls = 0;
  const slow = new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      // One byte, then nothing more for now (a client that pauses).
      if (pulls++ === 0) controller.enqueue(bytes("x"));
    },
  });
  const reader = pooledChunks(slow, new BufferPool(1024)).getReader();
  assertEquals((await reader.read()).value, bytes("x"));
  await reader.cancel();
});

Deno.test("pooledChunks() passes errors on and cancels its source", async () => {
  const failing = new ReadableStream<Uint8Array>({
    type: "bytes",
    pull: () => Promise.reject(new Error("connection reset")),
  });
  await assertRejects(
    () => Array.fromAsync(pooledChunks(failing, new BufferPool(16))),
    /connection reset/,
  );

  let cancelled: unknown = null;
  const source = byteStream([bytes("abcd")], (reason) => cancelled = reason);
  const reader = pooledChunks(source, new BufferPool(2)).getReader();
  assertEquals((await reader.read()).value, bytes("ab"));
  await reader.cancel("client left");
  assertEquals(cancelled, "client left");
});

Deno.test("pooledChunks() leaves a stream that is not a byte stream as it is", () => {
  const plain = ReadableStream.from([bytes("a")]);
  assertOk(pooledChunks(plain, new BufferPool(8)) === plain);
});

Deno.test("BufferPool reuses given buffers of its size, up to its bound", () => {
  const pool = new BufferPool(8, 1);
  const first = pool.take();
  assertEquals(first.byteLength, 8);
  pool.give(first);
  pool.give(new ArrayBuffer(8)); // beyond the bound: dropped
  pool.give(new ArrayBuffer(4)); // wrong size: dropped
  assertOk(pool.take() === first, "the given buffer comes back");
  assertOk(pool.take() !== first, "then new ones");
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  pool.give(detached);
  assertEquals(pool.take().byteLength, 8, "a detached buffer is never handed out");
});

Deno.test("checkWritablePath() rejects names a client may not write", async (t) => {
  const cases: [string[], boolean, boolean][] = [
    [["a", "b.txt"], false, true],
    [["a", ".git", "x"], false, false],
    [["a", ".env"], true, true],
    [[".sluice-upload-1"], true, false],
    [["tab\there"], false, false],
    [["é".repeat(127)], false, true], // 254 bytes
    [["é".repeat(128)], false, false], // 256 bytes
  ];
  for (const [segments, dotfiles, ok] of cases) {
    await t.step(`${JSON.stringify(segments).slice(0, 30)} dotfiles=${dotfiles}`, () => {
      if (ok) checkWritablePath(segments, dotfiles);
      else assertThrows(() => checkWritablePath(segments, dotfiles), HttpError);
    });
  }
});
