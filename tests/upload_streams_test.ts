import { createHash } from "node:crypto";
import { expectedDigests, formatReprDigest, parseDigestField } from "../src/http/digest.ts";
import { HttpError } from "../src/http/http_error.ts";
import { checkWritablePath } from "../src/path/check_writable_path.ts";
import { ByteLimitStream } from "../src/streams/byte_limit_stream.ts";
import { DigestStream } from "../src/streams/digest_stream.ts";
import { assertEquals, assertRejects, assertThrows } from "./helpers/assert.ts";

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
