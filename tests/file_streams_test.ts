import { fileRangeStream, readRange } from "../src/streams/file_range_stream.ts";
import {
  multipartByterangesStream,
  multipartLayout,
} from "../src/streams/multipart_byteranges_stream.ts";
import { assertEquals, assertOk, assertRejects } from "./helpers/assert.ts";
import { fixtureBytes, parseByteRanges } from "./helpers/http_fixtures.ts";
import { tempDir } from "./helpers/server.ts";

const DATA = fixtureBytes(10_000, 7);

/** An in-memory `Deno.FsFile` stand-in that counts reads and closes. */
function spyFile(bytes: Uint8Array, options: { shrinkTo?: number } = {}) {
  const limit = options.shrinkTo ?? bytes.length;
  let position = 0;
  const spy = {
    reads: 0,
    closes: 0,
    seek(offset: number) {
      position = offset;
      return Promise.resolve(position);
    },
    read(buffer: Uint8Array) {
      spy.reads++;
      const n = Math.min(buffer.length, limit - position);
      if (n <= 0) return Promise.resolve(null);
      buffer.set(bytes.subarray(position, position + n));
      position += n;
      return Promise.resolve(n);
    },
    close() {
      spy.closes++;
    },
  };
  return spy;
}

const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
};

/** Lets pending stream pulls run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("fileRangeStream() yields exactly the inclusive range of a real file and closes it", async (t) => {
  await using dir = await tempDir({ "data.bin": DATA });
  const rows: [number, number, number][] = [
    [0, 9999, 4096],
    [1, 1, 4096],
    [123, 4567, 1000],
    [9990, 9999, 3],
    [4095, 4097, 2],
  ];
  for (const [start, end, chunkSize] of rows) {
    await t.step(`${start}-${end} in chunks of ${chunkSize}`, async () => {
      const file = await Deno.open(`${dir.path}/data.bin`);
      const chunks = await Array.fromAsync(fileRangeStream(file, start, end, chunkSize));
      assertOk(chunks.every((c) => c.length > 0 && c.length <= chunkSize));
      assertEquals(concat(chunks), DATA.subarray(start, end + 1));
      // The resource sanitizer fails this step if the file were left open.
    });
  }
});

Deno.test("fileRangeStream() closes the file once when the consumer cancels mid-way", async () => {
  const file = spyFile(DATA);
  const reader = fileRangeStream(file, 0, 9999, 100).getReader();
  const first = await reader.read();
  assertEquals(first.value?.length, 100);
  await reader.cancel();
  assertEquals(file.closes, 1);
  await settle();
  assertEquals(file.closes, 1);
});

Deno.test("fileRangeStream() closes the file when cancelled before the first read", async () => {
  const file = spyFile(DATA);
  const stream = fileRangeStream(file, 0, 9999, 100);
  await stream.cancel();
  assertEquals(file.closes, 1);
});

Deno.test("fileRangeStream() closes a real file when cancelled (resource sanitizer)", async () => {
  await using dir = await tempDir({ "data.bin": DATA });
  const file = await Deno.open(`${dir.path}/data.bin`);
  const reader = fileRangeStream(file, 10, 9000, 512).getReader();
  await reader.read();
  await reader.cancel();
});

Deno.test("fileRangeStream() errors and closes the file when it ends before the range", async () => {
  const file = spyFile(DATA, { shrinkTo: 500 });
  await assertRejects(
    () => Array.fromAsync(fileRangeStream(file, 0, 999, 128)),
    RangeError,
  );
  assertEquals(file.closes, 1);
});

Deno.test("fileRangeStream() reads only as the consumer pulls (at most one chunk ahead)", async () => {
  const file = spyFile(DATA);
  const reader = fileRangeStream(file, 0, 9999, 100).getReader();
  await settle();
  assertOk(file.reads <= 1, `reads before any consumer read: ${file.reads}`);
  for (let consumed = 1; consumed <= 5; consumed++) {
    await reader.read();
    await settle();
    assertOk(file.reads <= consumed + 1, `${file.reads} reads after ${consumed} chunks`);
  }
  await reader.cancel();
});

Deno.test("readRange() throws RangeError when the file shrank", async () => {
  const file = spyFile(DATA, { shrinkTo: 10 });
  await assertRejects(() => Array.fromAsync(readRange(file, 5, 20, 4)), RangeError);
});

Deno.test("multipartLayout() precomputes the exact body length", async (t) => {
  const rows: { start: number; end: number }[][] = [
    [{ start: 0, end: 0 }],
    [{ start: 0, end: 99 }, { start: 200, end: 299 }],
    [{ start: 1, end: 1 }, { start: 5000, end: 7000 }, { start: 9999, end: 9999 }],
  ];
  for (const ranges of rows) {
    await t.step(ranges.map((r) => `${r.start}-${r.end}`).join(","), async () => {
      const layout = multipartLayout(ranges, DATA.length, "video/mp4", "BOUNDARY42");
      const body = concat(
        await Array.fromAsync(multipartByterangesStream(spyFile(DATA), ranges, layout, 333)),
      );
      assertEquals(body.length, layout.length);
      const parts = parseByteRanges(body, "BOUNDARY42");
      assertEquals(parts.map((p) => [p.start, p.end]), ranges.map((r) => [r.start, r.end]));
      for (const part of parts) {
        assertEquals(part.headers.get("content-type"), "video/mp4");
        assertEquals(part.size, DATA.length);
        assertEquals(part.bytes, DATA.subarray(part.start, part.end + 1));
      }
    });
  }
});

Deno.test("multipartByterangesStream() reads one part at a time from a real file and closes it", async () => {
  await using dir = await tempDir({ "data.bin": DATA });
  const ranges = [{ start: 3, end: 3000 }, { start: 8000, end: 9998 }];
  const layout = multipartLayout(ranges, DATA.length, "application/octet-stream", "b");
  const file = await Deno.open(`${dir.path}/data.bin`);
  const body = concat(await Array.fromAsync(multipartByterangesStream(file, ranges, layout, 1024)));
  const parts = parseByteRanges(body, "b");
  assertEquals(parts[0].bytes, DATA.subarray(3, 3001));
  assertEquals(parts[1].bytes, DATA.subarray(8000, 9999));
});

Deno.test("multipartByterangesStream() closes the file on cancel and on a short file", async () => {
  const ranges = [{ start: 0, end: 999 }, { start: 5000, end: 5999 }];
  const layout = multipartLayout(ranges, DATA.length, "text/plain", "x");
  const cancelled = spyFile(DATA);
  const reader = multipartByterangesStream(cancelled, ranges, layout, 100).getReader();
  await reader.read();
  await reader.read();
  await reader.cancel();
  assertEquals(cancelled.closes, 1);

  const short = spyFile(DATA, { shrinkTo: 4000 });
  await assertRejects(
    () => Array.fromAsync(multipartByterangesStream(short, ranges, layout, 100)),
    RangeError,
  );
  assertEquals(short.closes, 1);
});
