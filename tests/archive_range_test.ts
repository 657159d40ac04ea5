import fc from "fast-check";
import { archiveEtag } from "../src/archive/archive_etag.ts";
import { sliceParts } from "../src/archive/archive_part.ts";
import { CrcCache } from "../src/archive/crc_cache.ts";
import { tarLength, tarParts } from "../src/archive/tar_format.ts";
import { zipLayout, zipParts } from "../src/archive/zip_format.ts";
import { planArchiveResponse } from "../src/http/plan_archive_response.ts";
import { evaluatePreconditions, ifRangeAllows } from "../src/http/preconditions.ts";
import {
  type ArchiveFiles,
  type ArchiveSource,
  tarStream,
  zipStream,
} from "../src/streams/archive_stream.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { openFds, settledFds } from "./helpers/fds.ts";
import { fixtureBytes, headerSnapshot } from "./helpers/http_fixtures.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

const MTIME = Date.UTC(2026, 10, 25, 12, 0, 0);

// ---------------------------------------------------------------------------
// Pure layout and planning

function file(name: string, size: number): ArchiveSource {
  return { name, isDirectory: false, size, mtime: MTIME, path: name, ino: 1 };
}

Deno.test("sliceParts() maps a range onto headers, file bytes and padding without reading", () => {
  // a.txt: header 0-511, 6 bytes 512-517, padding 518-1023; b: header 1024-1535,
  // 0 bytes (skipped), no padding; end blocks 1536-2559.
  const entries = [file("a.txt", 6), file("b", 0)];
  const parts = [...tarParts(entries)];
  const slice = (start: number, end: number) =>
    [...sliceParts(parts, { start, end })].map(({ part, offset, from, to }) => [
      part.type === "content" ? `file ${part.entry}` : part.type,
      offset,
      from,
      to,
    ]);
  assertEquals(slice(510, 513), [["framing", 0, 510, 512], ["file 0", 512, 0, 2]]);
  assertEquals(slice(515, 1030), [
    ["file 0", 512, 3, 6],
    ["framing", 518, 0, 506],
    ["framing", 1024, 0, 7],
  ]);
  assertEquals(slice(2559, 2559), [["framing", 1536, 1023, 1024]]);
  assertEquals(tarLength(entries), 2560);
});

/** What a `memoryFiles` fake saw: opened paths, reads of open files, files closed. */
interface FileLog {
  reads: string[];
  chunkReads: number;
  closed: number;
}

/**
 * Deterministic bytes per path, read at once or through a fake seekable
 * file; `slow`: each read of an open file waits a timer turn.
 */
function memoryFiles(
  contents: Map<string, Uint8Array>,
  reads: string[] = [],
  log: FileLog = { reads, chunkReads: 0, closed: 0 },
  slow = false,
): ArchiveFiles {
  return {
    read: ({ path, size }) => {
      reads.push(path);
      return contents.get(path)?.slice(0, size) ?? null;
    },
    open: ({ path }) => {
      reads.push(path);
      const bytes = contents.get(path);
      if (bytes === undefined) return Promise.resolve(null);
      let at = 0;
      return Promise.resolve({
        seek(offset: number) {
          at = offset;
          return Promise.resolve(at);
        },
        async read(buffer: Uint8Array) {
          log.chunkReads++;
          if (slow) await new Promise((resolve) => setTimeout(resolve, 0));
          if (at >= bytes.length) return null;
          const n = Math.min(buffer.length, bytes.length - at, 100_000);
          buffer.set(bytes.subarray(at, at + n));
          at += n;
          return n;
        },
        [Symbol.dispose]() {
          log.closed++;
        },
      } as unknown as Deno.FsFile);
    },
  };
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Byte-for-byte equality that reports the first difference: a diff of two
 * megabyte arrays would take the test runner's memory instead.
 */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  if (i === actual.length && i === expected.length) return;
  throw new Error(
    `${what}: ${actual.length} bytes, expected ${expected.length}; first difference at ${i}`,
  );
}

const entryList = fc.array(
  fc.record({
    name: fc.stringMatching(/^[a-zA-Zü✓ ._-]{1,120}$/),
    isDirectory: fc.boolean(),
    // Across the 256 KiB line between reads at once and streamed reads.
    size: fc.oneof(fc.nat({ max: 2000 }), fc.integer({ min: 256 * 1024, max: 400_000 })),
  }),
  { maxLength: 5 },
).map((raw) =>
  raw.map((e, i) => ({
    ...e,
    size: e.isDirectory ? 0 : e.size,
    mtime: MTIME,
    path: `/f${i}`,
    ino: i + 1,
  }))
);

function contentsOf(entries: readonly ArchiveSource[]): Map<string, Uint8Array> {
  return new Map(entries.map((e, i) => [e.path, fixtureBytes(e.size, i + 7)]));
}

/** Any range of the archive: fractions of its length, so every part can be hit. */
const rangeOf = (length: number, [a, b]: [number, number]) => {
  const [x, y] = [Math.floor(a * length), Math.floor(b * length)].sort((p, q) => p - q);
  return { start: Math.min(x, length - 1), end: Math.min(y, length - 1) };
};
const fractions = fc.tuple(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

Deno.test("zipStream() and tarStream() send any range as exactly those bytes of the whole archive", async () => {
  // CRC-32s known beforehand: none, all (a whole download), or some (another range).
  const before = fc.oneof(
    fc.constant("none" as const),
    fc.constant("all" as const),
    fractions,
  );
  await fc.assert(
    fc.asyncProperty(entryList, fractions, before, async (entries, cut, known) => {
      const files = memoryFiles(contentsOf(entries));
      const tar = await collect(tarStream(entries, files));
      assertEquals(tar.length, tarLength(entries));
      const tarRange = rangeOf(tar.length, cut);
      assertSameBytes(
        await collect(tarStream(entries, files, tarRange)),
        tar.subarray(tarRange.start, tarRange.end + 1),
        `tar range ${tarRange.start}-${tarRange.end}`,
      );
      const layout = zipLayout(entries);
      const crcs = new CrcCache();
      const zip = await collect(
        zipStream(layout, files, { crcs: known === "all" ? crcs : undefined }),
      );
      if (typeof known !== "string") {
        await collect(zipStream(layout, files, { range: rangeOf(zip.length, known), crcs }));
      }
      const zipRange = rangeOf(zip.length, cut);
      assertSameBytes(
        await collect(zipStream(layout, files, { range: zipRange, crcs })),
        zip.subarray(zipRange.start, zipRange.end + 1),
        `known: ${known}, range ${zipRange.start}-${zipRange.end}`,
      );
    }),
    { numRuns: 60 },
  );
});

Deno.test("zipParts() and tarParts() add up to the archive's length", () => {
  fc.assert(fc.property(entryList, (entries) => {
    const sum = (parts: Iterable<{ length: number }>) =>
      [...parts].reduce((total, part) => total + part.length, 0);
    assertEquals(sum(tarParts(entries)), tarLength(entries));
    const layout = zipLayout(entries);
    assertEquals(sum(zipParts(layout)), layout.length);
  }));
});

Deno.test("zipStream() reads only the files a range covers, or whose CRC-32 it lacks", async (t) => {
  const entries = [file("a", 300_000), file("b", 10), file("c", 300_000), file("d", 10)];
  const contents = contentsOf(entries);
  const layout = zipLayout(entries);
  const inC = { start: layout.entries[2].offset + 100, end: layout.entries[2].offset + 200 };
  const tail = { start: layout.centralOffset, end: layout.length - 1 };
  await t.step("bytes inside one file: that file only", async () => {
    const reads: string[] = [];
    await collect(zipStream(layout, memoryFiles(contents, reads), { range: inC }));
    assertEquals(reads, ["c"]);
  });
  await t.step("the central directory, cold: every file, for its CRC-32", async () => {
    const reads: string[] = [];
    await collect(zipStream(layout, memoryFiles(contents, reads), { range: tail }));
    assertEquals(reads, ["a", "b", "c", "d"]);
  });
  await t.step("after a download dropped in c: the rest of c and d, nothing before", async () => {
    const crcs = new CrcCache();
    const cut = layout.entries[2].offset + 200_000;
    const reader = zipStream(layout, memoryFiles(contents), { crcs }).getReader();
    let received = 0;
    while (received < cut) received += (await reader.read()).value!.length;
    await reader.cancel();
    const reads: string[] = [];
    const rest = await collect(
      zipStream(layout, memoryFiles(contents, reads), {
        crcs,
        range: { start: cut, end: layout.length - 1 },
      }),
    );
    const whole = await collect(zipStream(layout, memoryFiles(contents)));
    assertSameBytes(rest, whole.subarray(cut));
    assertEquals(reads, ["c", "d"]);
  });
  await t.step(
    "a cut mid-file with only part of its CRC-32 known: bytes from there on",
    async () => {
      const crcs = new CrcCache();
      // A first download that got 100,000 bytes into c, then stopped.
      const cut = layout.entries[2].offset + 100_000;
      await collect(
        zipStream(layout, memoryFiles(contents), { crcs, range: { start: 0, end: cut } }),
      );
      const progress = crcs.get(entries[2]);
      assertOk(progress !== undefined && progress.offset > 0 && progress.offset < 300_000);
      const whole = await collect(zipStream(layout, memoryFiles(contents)));
      const reads: string[] = [];
      const rest = await collect(
        zipStream(layout, memoryFiles(contents, reads), {
          crcs,
          range: { start: cut + 50_000, end: layout.length - 1 },
        }),
      );
      assertSameBytes(rest, whole.subarray(cut + 50_000));
      assertEquals(reads, ["c", "d"]);
    },
  );
});

Deno.test("zipStream() stops reading a file for its CRC-32 as soon as the client leaves", async () => {
  const entries = [file("big", 20_000_000)];
  const layout = zipLayout(entries);
  const log: FileLog = { reads: [], chunkReads: 0, closed: 0 };
  const files = memoryFiles(new Map([["big", new Uint8Array(20_000_000)]]), [], log, true);
  // Only the central directory, cold: the whole file must be read before a byte goes out.
  const range = { start: layout.centralOffset, end: layout.length - 1 };
  const reader = zipStream(layout, files, { range }).getReader();
  const pending = reader.read();
  const turns = (n: number) =>
    Array.from({ length: n }).reduce<Promise<unknown>>(
      (p) => p.then(() => new Promise((resolve) => setTimeout(resolve, 0))),
      Promise.resolve(),
    );
  await turns(5);
  await reader.cancel();
  assertEquals((await pending).done, true);
  const afterCancel = log.chunkReads;
  await turns(5);
  assertEquals(log.chunkReads, afterCancel, "no read after the cancel");
  assertOk(afterCancel < 20, `${afterCancel} reads of the ~230 the whole file takes`);
  assertEquals(log.closed, 1);
});

Deno.test("zipStream() ends a range short when a file it needs was replaced", async () => {
  const entries = [file("a", 300_000), file("b", 10)];
  const layout = zipLayout(entries);
  const contents = contentsOf(entries);
  contents.delete("a"); // openSame()/readSame() answer null for another inode
  for (
    const range of [{ start: 50, end: 60_000 }, {
      start: layout.centralOffset,
      end: layout.length - 1,
    }]
  ) {
    let failure: unknown;
    try {
      await collect(zipStream(layout, memoryFiles(contents), { range }));
    } catch (error) {
      failure = error;
    }
    assertEquals((failure as Error)?.message, "a was removed or replaced while being archived");
  }
});

Deno.test("archiveEtag() changes with any entry's name, size, mtime, inode or mode, and the format", () => {
  const base: ArchiveSource[] = [file("a", 1), { ...file("d", 0), isDirectory: true }];
  const tag = archiveEtag("zip", base);
  assertMatch(tag, /^"zip-2-[A-Za-z0-9_-]{22}"$/);
  assertEquals(archiveEtag("zip", structuredClone(base)), tag);
  const changed: [string, ArchiveSource[] | string][] = [
    ["name", [{ ...base[0], name: "b" }, base[1]]],
    ["size", [{ ...base[0], size: 2 }, base[1]]],
    ["mtime", [{ ...base[0], mtime: MTIME + 1 }, base[1]]],
    ["inode", [{ ...base[0], ino: 2 }, base[1]]],
    ["mode", [{ ...base[0], executable: true }, base[1]]],
    ["kind", [base[0], { ...base[1], isDirectory: false }]],
    ["order", [base[1], base[0]]],
    ["one less", [base[0]]],
    ["format", "tar"],
  ];
  for (const [what, change] of changed) {
    const other = typeof change === "string"
      ? archiveEtag(change, base)
      : archiveEtag("zip", change);
    assertOk(other !== tag, what);
  }
});

Deno.test("CrcCache keeps the furthest progress and drops the least recently used past its budget", () => {
  const crcs = new CrcCache(3 * (2 * 20 + 96));
  const key = (n: number) => ({ path: `/p${n}`, ino: n, size: 100, mtime: 1 });
  crcs.set(key(1), { offset: 50, crc: 5 });
  crcs.set(key(1), { offset: 20, crc: 2 });
  assertEquals(crcs.get(key(1)), { offset: 50, crc: 5 });
  assertEquals(crcs.get({ ...key(1), mtime: 2 }), undefined, "another version of the file");
  crcs.set(key(2), { offset: 100, crc: 7 });
  crcs.set(key(3), { offset: 100, crc: 8 });
  crcs.get(key(1));
  crcs.set(key(4), { offset: 100, crc: 9 });
  assertEquals(crcs.size, 3);
  assertEquals(crcs.get(key(2)), undefined, "least recently used");
  assertOk(crcs.get(key(1)) && crcs.get(key(3)) && crcs.get(key(4)));
});

Deno.test("evaluatePreconditions() and ifRangeAllows() ignore dates without a Last-Modified", () => {
  const current = { etag: '"x"', lastModified: null };
  const date = "Sun, 06 Nov 1994 08:49:37 GMT";
  assertEquals(
    evaluatePreconditions("GET", new Headers({ "if-unmodified-since": date }), current),
    "proceed",
  );
  assertEquals(
    evaluatePreconditions("GET", new Headers({ "if-modified-since": date }), current),
    "proceed",
  );
  assertEquals(ifRangeAllows(date, current), false);
  assertEquals(ifRangeAllows('"x"', current), true);
});

Deno.test("planArchiveResponse() resumes one range only while the ETag still matches", async (t) => {
  const etag = '"zip-1-abc"';
  const cases: {
    name: string;
    method?: string;
    headers: Record<string, string>;
    version?: string;
    status: number;
    body: { start: number; end: number } | null;
    range?: string;
  }[] = [
    {
      name: "no conditions: the whole archive",
      headers: {},
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "HEAD: no body",
      method: "HEAD",
      headers: { range: "bytes=5-" },
      status: 200,
      body: null,
    },
    {
      name: "bytes=100- with the URL's v: the rest",
      headers: { range: "bytes=100-" },
      version: "zip-1-abc",
      status: 206,
      body: { start: 100, end: 999 },
      range: "bytes 100-999/1000",
    },
    {
      name: "bytes=100- with nothing tying it to this archive: the whole archive",
      headers: { range: "bytes=100-" },
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "bytes=100- with the v of an older archive: the whole archive",
      headers: { range: "bytes=100-" },
      version: "zip-1-old",
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "If-Match: * ties nothing: the whole archive",
      headers: { range: "bytes=100-", "if-match": "*" },
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "suffix with the URL's v",
      headers: { range: "bytes=-10" },
      version: "zip-1-abc",
      status: 206,
      body: { start: 990, end: 999 },
      range: "bytes 990-999/1000",
    },
    {
      name: "If-Range with the ETag: the range",
      headers: { range: "bytes=100-199", "if-range": etag },
      status: 206,
      body: { start: 100, end: 199 },
      range: "bytes 100-199/1000",
    },
    {
      name: "If-Range with another ETag: the whole (new) archive",
      headers: { range: "bytes=100-", "if-range": '"zip-1-old"' },
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "If-Range with a date: no Last-Modified to match, the whole archive",
      headers: { range: "bytes=100-", "if-range": "Sun, 06 Nov 1994 08:49:37 GMT" },
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "If-Range weak: never matches",
      headers: { range: "bytes=100-", "if-range": `W/${etag}` },
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "If-Match with another ETag: 412",
      headers: { range: "bytes=100-", "if-match": '"zip-1-old"' },
      status: 412,
      body: null,
    },
    {
      name: "If-Match with the ETag: the range",
      headers: { range: "bytes=100-", "if-match": etag },
      status: 206,
      body: { start: 100, end: 999 },
      range: "bytes 100-999/1000",
    },
    {
      name: "several ranges: the whole archive",
      headers: { range: "bytes=0-9,500-509" },
      version: "zip-1-abc",
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "past the end: the whole archive without a validator",
      headers: { range: "bytes=1000-" },
      status: 200,
      body: { start: 0, end: 999 },
    },
    {
      name: "past the end with the URL's v: 416",
      headers: { range: "bytes=1000-" },
      version: "zip-1-abc",
      status: 416,
      body: null,
      range: "bytes */1000",
    },
    {
      name: "If-None-Match with the ETag: 304",
      headers: { "if-none-match": etag },
      status: 304,
      body: null,
    },
    {
      name: "If-Modified-Since: ignored",
      headers: { "if-modified-since": "Sun, 06 Nov 2094 08:49:37 GMT" },
      status: 200,
      body: { start: 0, end: 999 },
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const plan = planArchiveResponse(
        c.method ?? "GET",
        new Headers(c.headers),
        etag,
        1000,
        c.version ?? null,
      );
      assertEquals([plan.status, plan.body], [c.status, c.body]);
      const headers = new Map(plan.headers);
      assertEquals(headers.get("content-range"), c.range);
      if (c.status === 200 || c.status === 206) {
        assertEquals(headers.get("etag"), etag);
        assertEquals(headers.get("accept-ranges"), "bytes");
        const length = plan.body ? plan.body.end - plan.body.start + 1 : 1000;
        assertEquals(headers.get("content-length"), String(length));
      }
    });
  }
});

// ---------------------------------------------------------------------------
// Real server, real sockets, real archive tools

/** Runs a command; returns its exit code and output. */
async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, out: text };
}

const installed = new Map<string, boolean>();

/** Whether `tool` can be run; says once that its checks are skipped when not. */
async function has(tool: string): Promise<boolean> {
  if (!installed.has(tool)) {
    let found = true;
    try {
      await new Deno.Command(tool, { args: ["-h"], stdout: "null", stderr: "null" }).output();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      console.log(`${tool} is not installed: its checks are skipped`);
      found = false;
    }
    installed.set(tool, found);
  }
  return installed.get(tool)!;
}

/** A seeded xorshift32, so a failing cut point can be reproduced. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** A folder of `count` files in nested folders, of sizes from empty to past one 256 KiB read. */
async function manyFiles(count: number, seed: number) {
  const next = random(seed);
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    const roll = next();
    const size = roll < 0.1
      ? 0
      : roll < 0.85
      ? Math.floor(next() * 5000)
      : 256 * 1024 + Math.floor(next() * 200_000);
    const folder = ["", "a/", "a/b/", "ü ✓/", "c/d/e/"][i % 5];
    files[`${folder}f${i}.bin`] = fixtureBytes(size, seed + i);
  }
  const dir = await tempDir(files);
  await Deno.mkdir(`${dir.path}/empty`);
  return dir;
}

/**
 * Starts a download and kills it once `cut` bytes arrived (an abort, plus a
 * cancel that surely closes the connection): the first `cut` bytes, as a
 * client that dropped there kept them, and the ETag it saw.
 */
async function droppedDownload(url: string, cut: number, client: Deno.HttpClient) {
  const controller = new AbortController();
  const res = await fetch(url, { client, signal: controller.signal });
  assertEquals(res.status, 200);
  const etag = res.headers.get("etag")!;
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  while (received < cut) {
    const { done, value } = await reader.read();
    assertOk(!done, "the body ended before the cut");
    parts.push(value);
    received += value.length;
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
  return { bytes: bytes.subarray(0, cut), etag };
}

/** Asks for the rest from `start` with `If-Range`, expecting a 206 of exactly that. */
async function resume(
  url: string,
  start: number,
  etag: string,
  length: number,
  client?: Deno.HttpClient,
) {
  const res = await fetch(url, {
    client,
    headers: { range: `bytes=${start}-`, "if-range": etag },
  });
  assertEquals(res.status, 206);
  assertEquals(res.headers.get("content-range"), `bytes ${start}-${length - 1}/${length}`);
  assertEquals(res.headers.get("etag"), etag);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assertEquals(bytes.length, length - start);
  return bytes;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

Deno.test("serveArchive() resumes zip and tar downloads killed at random points, byte for byte", async (t) => {
  const seed = 20261206;
  await using dir = await manyFiles(120, seed);
  await using out = await tempDir();
  await using server = startTestServer(dir.path);
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const next = random(seed);
  const fdsBefore = await openFds();
  for (const format of ["zip", "tar"]) {
    const url = server.href(`/?download=${format}`);
    const full = await fetch(url, { client });
    assertEquals(full.headers.get("accept-ranges"), "bytes");
    const etag = full.headers.get("etag")!;
    const whole = new Uint8Array(await full.arrayBuffer());
    const length = whole.length;
    const cuts = [
      1,
      length - 1,
      ...Array.from({ length: 6 }, () => 1 + Math.floor(next() * (length - 2))),
    ];
    if (format === "zip") {
      // Inside the central directory and inside its end record.
      cuts.push(length - 30, length - 2000);
    }
    for (const cut of cuts) {
      await t.step(`${format}: cut at ${cut} of ${length}`, async () => {
        const first = await droppedDownload(url, cut, client);
        assertEquals(first.etag, etag);
        const joined = concat(first.bytes, await resume(url, cut, etag, length, client));
        assertSameBytes(joined, whole, `cut at ${cut}`);
      });
    }
    await t.step(
      `${format}: a restarted server (no CRC-32s kept) resumes the same bytes`,
      async () => {
        await using again = startTestServer(dir.path);
        const cut = cuts[2];
        const rest = await resume(again.href(`/?download=${format}`), cut, etag, length, client);
        assertSameBytes(rest, whole.subarray(cut));
      },
    );
    await t.step(`${format}: the archive tools accept a resumed download`, async () => {
      const cut = cuts[3];
      const first = await droppedDownload(url, cut, client);
      const path = `${out.path}/resumed.${format}`;
      await Deno.writeFile(path, concat(first.bytes, await resume(url, cut, etag, length, client)));
      if (format === "tar") {
        if (!(await has("tar"))) return;
        const listed = await run("tar", ["-tf", path]);
        assertEquals(listed.code, 0, listed.out);
        assertEquals(listed.out.trim().split("\n").filter((l) => !l.endsWith("/")).length, 120);
        return;
      }
      if (await has("unzip")) {
        const tested = await run("unzip", ["-t", path]);
        assertEquals(tested.code, 0, tested.out);
        assertMatch(tested.out, /No errors detected/);
      }
      if (await has("python3")) {
        const tested = await run("python3", ["-m", "zipfile", "-t", path]);
        assertEquals(tested.code, 0, tested.out);
      }
    });
  }
  const fdsAfter = await settledFds(fdsBefore);
  assertOk(fdsAfter <= fdsBefore, `open fds: ${fdsBefore} before, ${fdsAfter} after`);
  assertEquals(server.state.openStreams().download, 0);
});

Deno.test("serveArchive() never splices two archives: a changed folder gets the whole archive or 412", async (t) => {
  await using dir = await tempDir({ "a.txt": "first version\n", "b.bin": fixtureBytes(300_000) });
  await using server = startTestServer(dir.path);
  const url = server.href("/?download=zip");
  const first = await fetch(url);
  let tag = first.headers.get("etag")!;
  await first.body!.cancel();
  const changes: [string, () => Promise<void>][] = [
    ["content and size", () => Deno.writeTextFile(`${dir.path}/a.txt`, "second version, longer\n")],
    ["mtime only", () => Deno.utime(`${dir.path}/a.txt`, 1, 1_000_000)],
    ["same size, same mtime, new inode", async () => {
      const stat = await Deno.stat(`${dir.path}/a.txt`);
      await Deno.writeFile(`${dir.path}/new.tmp`, await Deno.readFile(`${dir.path}/a.txt`));
      await Deno.utime(`${dir.path}/new.tmp`, stat.atime!, stat.mtime!);
      await Deno.rename(`${dir.path}/new.tmp`, `${dir.path}/a.txt`);
    }],
    ["a file added", () => Deno.writeTextFile(`${dir.path}/c.txt`, "c")],
  ];
  for (const [what, change] of changes) {
    await t.step(what, async () => {
      await change();
      const ifRange = await fetch(url, { headers: { range: "bytes=100-", "if-range": tag } });
      assertEquals(ifRange.status, 200, "the whole new archive");
      const newTag = ifRange.headers.get("etag")!;
      assertOk(newTag !== tag);
      await ifRange.body!.cancel();
      const ifMatch = await fetch(url, { headers: { range: "bytes=100-", "if-match": tag } });
      assertEquals(ifMatch.status, 412);
      assertMatch(await ifMatch.text(), /folder changed/);
      tag = newTag;
    });
  }
});

Deno.test("serveArchive() with curl -C -: resumes with If-Range or the versioned URL, never appends another archive", async (t) => {
  if (!(await has("curl"))) return;
  await using dir = await manyFiles(30, 7);
  await using out = await tempDir();
  await using server = startTestServer(dir.path);
  const url = server.href("/?download=zip");
  const full = await fetch(url);
  const etag = full.headers.get("etag")!;
  const versioned = new URL(full.headers.get("content-location")!, url).href;
  assertEquals(new URL(versioned).searchParams.get("v"), etag.slice(1, -1));
  assertEquals(new URL(versioned).searchParams.get("download"), "zip");
  const whole = new Uint8Array(await full.arrayBuffer());
  const path = `${out.path}/folder.zip`;
  const cut = Math.floor(whole.length * 0.4);
  /** `curl -C -`: continues `path` from its size, with extra `args`. */
  const curlContinue = (target: string, ...args: string[]) =>
    run("curl", ["-sS", "-f", "-C", "-", ...args, "-o", path, target]);
  await t.step("curl continues a cut file to the identical archive", async () => {
    await Deno.writeFile(path, whole.subarray(0, cut));
    const curl = await curlContinue(url, "-H", `If-Range: ${etag}`);
    assertEquals(curl.code, 0, curl.out);
    assertSameBytes(await Deno.readFile(path), whole);
  });
  await t.step("plain curl -C - on the versioned URL continues too", async () => {
    await Deno.writeFile(path, whole.subarray(0, cut));
    const curl = await curlContinue(versioned);
    assertEquals(curl.code, 0, curl.out);
    assertSameBytes(await Deno.readFile(path), whole);
  });
  await t.step("plain curl -C - on the unversioned URL: refused, nothing appended", async () => {
    await Deno.writeFile(path, whole.subarray(0, cut));
    const curl = await curlContinue(url);
    assertEquals(curl.code, 33, curl.out); // CURLE_RANGE_ERROR: the server sent it all
    assertSameBytes(await Deno.readFile(path), whole.subarray(0, cut));
  });
  await Deno.writeTextFile(`${dir.path}/f0.bin`, "changed");
  for (
    const [name, target, args] of [
      ["If-Range", url, ["-H", `If-Range: ${etag}`]],
      ["the versioned URL", versioned, []],
    ] as const
  ) {
    await t.step(`${name} after a change: curl stops (the whole archive was sent)`, async () => {
      await Deno.writeFile(path, whole.subarray(0, cut));
      const curl = await curlContinue(target, ...args);
      assertEquals(curl.code, 33, curl.out);
      assertSameBytes(await Deno.readFile(path), whole.subarray(0, cut));
    });
  }
  await t.step("If-Match after a change: 412, nothing appended", async () => {
    const curl = await curlContinue(url, "-H", `If-Match: ${etag}`);
    assertEquals(curl.code, 22, curl.out); // CURLE_HTTP_RETURNED_ERROR
    assertSameBytes(await Deno.readFile(path), whole.subarray(0, cut));
  });
  await t.step(
    "an old versioned URL without Range still downloads the current archive",
    async () => {
      const res = await fetch(versioned);
      assertEquals(res.status, 200);
      const now = res.headers.get("etag")!;
      assertOk(now !== etag);
      assertEquals(
        new URL(res.headers.get("content-location")!, url).searchParams.get("v"),
        now.slice(1, -1),
      );
      await res.body!.cancel();
    },
  );
});

Deno.test("serveArchive() HEAD, 416, several ranges, and tar.gz (not resumable)", async (t) => {
  await using dir = await tempDir({ "a.txt": "hello\n", "sub/b.txt": "b" });
  await using server = startTestServer(dir.path);
  const url = server.href("/?download=tar");
  const length = 512 * 5 + 1024; // a.txt, sub, sub/b.txt (+ 2 padded blocks), end
  await t.step("HEAD announces ranges, the ETag and the length", async () => {
    const head = await fetch(url, { method: "HEAD" });
    const headers = headerSnapshot(head);
    assertEquals(headers["accept-ranges"], "bytes");
    assertEquals(headers["content-length"], String(length));
    assertMatch(headers.etag, /^"tar-3-/);
    await head.body?.cancel();
  });
  const head = await fetch(url, { method: "HEAD" });
  const versioned = new URL(head.headers.get("content-location")!, url).href;
  await t.step("a range past the end is a 416 with the length", async () => {
    const res = await fetch(versioned, { headers: { range: `bytes=${length}-` } });
    assertEquals(res.status, 416);
    assertEquals(res.headers.get("content-range"), `bytes */${length}`);
    assertMatch(await res.text(), /Range not satisfiable/);
  });
  await t.step("several ranges get the whole archive", async () => {
    const res = await fetch(versioned, { headers: { range: "bytes=0-1,600-700" } });
    assertEquals(res.status, 200);
    assertEquals((await res.arrayBuffer()).byteLength, length);
  });
  await t.step("a tiny range inside a header", async () => {
    const res = await fetch(versioned, { headers: { range: "bytes=257-261" } });
    assertEquals(res.status, 206);
    assertEquals(await res.text(), "ustar");
  });
  await t.step("tar.gz: Accept-Ranges: none, a Range is ignored", async () => {
    const res = await fetch(server.href("/?download=tar.gz"), { headers: { range: "bytes=5-" } });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("accept-ranges"), "none");
    assertEquals(res.headers.get("content-length"), null);
    assertEquals(res.headers.get("etag"), null);
    await res.body!.cancel();
  });
  await t.step("the listing says which formats resume", async () => {
    const html = await (await fetch(server.href("/"))).text();
    assertMatch(html, /\.zip and \.tar downloads resume/);
  });
});

/** Whether every byte is zero (a word at a time where aligned). */
function isZero(chunk: Uint8Array): boolean {
  const aligned = chunk.byteOffset % 4 === 0 ? chunk.length >> 2 : 0;
  const words = new Int32Array(chunk.buffer, chunk.byteOffset, aligned);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  for (let i = aligned * 4; i < chunk.length; i++) if (chunk[i] !== 0) return false;
  return true;
}

/** Writes a body to `path` from `at` on, leaving zero chunks as holes (the archive is 4 GiB). */
async function writeSparse(
  path: string,
  body: ReadableStream<Uint8Array>,
  at: number,
  stop = Infinity,
) {
  using file = await Deno.open(path, { write: true, create: true });
  for await (const chunk of body) {
    const part = chunk.subarray(0, Math.max(0, stop - at));
    if (!isZero(part)) {
      await file.seek(at, Deno.SeekMode.Start);
      for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
    }
    at += part.length;
    if (at >= stop) break;
  }
  if ((await file.stat()).size < at) await file.truncate(at);
  return at;
}

async function readAt(path: string, start: number, length: number): Promise<Uint8Array> {
  using file = await Deno.open(path);
  await file.seek(start, Deno.SeekMode.Start);
  const bytes = new Uint8Array(length);
  for (let filled = 0; filled < length;) {
    const n = await file.read(bytes.subarray(filled));
    if (n === null) throw new RangeError("short file");
    filled += n;
  }
  return bytes;
}

Deno.test("serveArchive() resumes a ZIP64 archive (a sparse file past 4 GiB) across the 4 GiB boundary", async (t) => {
  const FOUR_GIB = 2 ** 32;
  await using dir = await tempDir({ "a.txt": "before the big one\n", "z.txt": "after 4 GiB\n" });
  {
    using big = await Deno.open(`${dir.path}/big.bin`, { write: true, create: true });
    await big.truncate(FOUR_GIB + 3 * 1024 * 1024);
    for (const at of [0, FOUR_GIB - 5, FOUR_GIB + 1024 * 1024]) {
      await big.seek(at, Deno.SeekMode.Start);
      await big.write(new TextEncoder().encode(`mark at ${at}`));
    }
  }
  await using out = await tempDir();
  const path = `${out.path}/big.zip`;
  await using server = startTestServer(dir.path);
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const url = server.href("/?download=zip");
  const cut = FOUR_GIB - 4096;
  let length = 0;
  let etag = "";
  await t.step("a download killed 4 KiB before 4 GiB, resumed with If-Range", async () => {
    const controller = new AbortController();
    const res = await fetch(url, { client, signal: controller.signal });
    length = Number(res.headers.get("content-length"));
    etag = res.headers.get("etag")!;
    assertOk(length > FOUR_GIB + 3 * 1024 * 1024);
    assertEquals(await writeSparse(path, res.body!, 0, cut), cut);
    controller.abort();
    const rest = await fetch(url, { headers: { range: `bytes=${cut}-`, "if-range": etag } });
    assertEquals(rest.status, 206);
    assertEquals(rest.headers.get("content-range"), `bytes ${cut}-${length - 1}/${length}`);
    assertEquals(await writeSparse(path, rest.body!, cut), length);
  });
  await t.step("unzip and Python's zipfile check every CRC-32 of the joined file", async () => {
    if (await has("unzip")) {
      const tested = await run("unzip", ["-t", path]);
      assertEquals(tested.code, 0, tested.out);
      assertMatch(tested.out, /No errors detected/);
    }
    if (await has("python3")) {
      const tested = await run("python3", ["-m", "zipfile", "-t", path]);
      assertEquals(tested.code, 0, tested.out);
      const listed = await run("python3", ["-m", "zipfile", "-l", path]);
      assertMatch(listed.out, /big\.bin +[\d-]+ [\d:]+ +4298113024/);
    }
  });
  await t.step(
    "ranges across the boundary and of the ZIP64 end, from a restarted server",
    async () => {
      await using again = startTestServer(dir.path);
      for (const [start, end] of [[FOUR_GIB - 10, FOUR_GIB + 10], [length - 200, length - 1]]) {
        const res = await fetch(again.href("/?download=zip"), {
          headers: { range: `bytes=${start}-${end}`, "if-range": etag },
        });
        assertEquals(res.status, 206);
        assertEquals(
          new Uint8Array(await res.arrayBuffer()),
          await readAt(path, start, end - start + 1),
        );
      }
    },
  );
});
