import fc from "fast-check";
import type { ArchiveEntry } from "../src/archive/archive_entry.ts";
import { paxRecord, tarHeader, tarHeaderLength, tarLength } from "../src/archive/tar_format.ts";
import {
  dosDateTime,
  zipCentralHeader,
  zipEnd,
  zipLayout,
  zipLocalHeader,
} from "../src/archive/zip_format.ts";
import {
  type ArchiveFiles,
  type ArchiveSource,
  tarStream,
  zipStream,
} from "../src/streams/archive_stream.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";

const decoder = new TextDecoder();
const MTIME = Date.UTC(2026, 10, 25, 12, 0, 0);

/**
 * Stand-ins for an entry's file that hold `size(path)` zero bytes (fewer
 * than announced fakes a file that shrank): large files through a fake
 * `Deno.FsFile`, small ones read at once.
 */
function zeros(size: number | ((path: string) => number)): ArchiveFiles {
  const sizeOf = (path: string) => typeof size === "number" ? size : size(path);
  return {
    read: ({ path, size: announced }) => new Uint8Array(Math.min(sizeOf(path), announced)),
    open: ({ path }) => {
      let left = sizeOf(path);
      return Promise.resolve({
        read(buffer: Uint8Array) {
          if (left === 0) return Promise.resolve(null);
          const n = Math.min(buffer.length, left);
          buffer.fill(0, 0, n);
          left -= n;
          return Promise.resolve(n);
        },
        [Symbol.dispose]() {},
      } as unknown as Deno.FsFile);
    },
  };
}

async function streamLength(stream: ReadableStream<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += chunk.length;
  return total;
}

function file(name: string, size: number): ArchiveSource {
  return { name, isDirectory: false, size, mtime: MTIME, path: "/x" };
}

Deno.test("paxRecord() counts its own length, across digit boundaries", () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (value) => {
    const record = paxRecord("path", value);
    const length = Number(record.slice(0, record.indexOf(" ")));
    assertEquals(new TextEncoder().encode(record).length, length);
    assertOk(record.endsWith(`path=${value}\n`));
  }));
});

Deno.test("tarHeader() puts names where ustar readers find them", async (t) => {
  const cases: { name: string; ustarName: string; prefix: string; pax: boolean }[] = [
    { name: "a.txt", ustarName: "a.txt", prefix: "", pax: false },
    { name: "x".repeat(100), ustarName: "x".repeat(100), prefix: "", pax: false },
    {
      name: "d".repeat(50) + "/" + "f".repeat(90),
      ustarName: "f".repeat(90),
      prefix: "d".repeat(50),
      pax: false,
    },
    { name: "f".repeat(101), ustarName: "", prefix: "", pax: true },
    { name: "d".repeat(160) + "/f", ustarName: "", prefix: "", pax: true },
    { name: "ünïcode ✓.txt", ustarName: "ünïcode ✓.txt", prefix: "", pax: false },
  ];
  for (const c of cases) {
    await t.step(c.name.slice(0, 40), () => {
      const entry: ArchiveEntry = { name: c.name, isDirectory: false, size: 3, mtime: MTIME };
      const bytes = tarHeader(entry);
      assertEquals(bytes.length, tarHeaderLength(entry));
      const ustar = bytes.subarray(bytes.length - 512);
      const field = (at: number, width: number) =>
        decoder.decode(ustar.subarray(at, at + width)).replace(/\0.*$/s, "");
      assertEquals(field(257, 6), "ustar");
      assertEquals(field(124, 12), "00000000003");
      assertEquals(String.fromCharCode(ustar[156]), "0");
      if (c.pax) {
        assertEquals(String.fromCharCode(bytes[156]), "x");
        const records = decoder.decode(bytes.subarray(512, bytes.length - 512));
        assertOk(records.includes(` path=${c.name}\n`), records);
      } else {
        assertEquals(bytes.length, 512);
        assertEquals(field(0, 100), c.ustarName);
        assertEquals(field(345, 155), c.prefix);
      }
      // The checksum is the octal sum of the header with its field as spaces.
      const copy = ustar.slice();
      copy.fill(0x20, 148, 156);
      const sum = copy.reduce((a, b) => a + b, 0);
      assertEquals(parseInt(field(148, 8), 8), sum);
    });
  }
});

Deno.test("tarHeader() carries sizes past 8 GiB in base-256 and a pax size", () => {
  const size = 9 * 1024 ** 3 + 7;
  const bytes = tarHeader({ name: "huge.bin", isDirectory: false, size, mtime: MTIME });
  const records = decoder.decode(bytes.subarray(512, bytes.length - 512));
  assertOk(records.includes(` size=${size}\n`), records);
  const field = bytes.subarray(bytes.length - 512 + 124, bytes.length - 512 + 136);
  assertEquals(field[0], 0x80);
  let value = 0n;
  for (const byte of field.subarray(1)) value = (value << 8n) | BigInt(byte);
  assertEquals(value, BigInt(size));
});

Deno.test("tarLength() and zipLayout().length are the streams' exact lengths", async () => {
  const entry = fc.record({
    name: fc.stringMatching(/^[a-zA-Zü✓ ._-]{1,140}$/),
    isDirectory: fc.boolean(),
    // Across the 256 KiB line between reads at once and streamed reads.
    size: fc.nat({ max: 600_000 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 6 }), async (raw) => {
      const entries = raw.map((e, i) => ({
        ...e,
        size: e.isDirectory ? 0 : e.size,
        mtime: MTIME,
        path: String(i),
      }));
      const open = zeros((path) => entries[Number(path)].size);
      assertEquals(await streamLength(tarStream(entries, open)), tarLength(entries));
      const layout = zipLayout(entries);
      assertEquals(await streamLength(zipStream(layout, open)), layout.length);
    }),
    { numRuns: 40 },
  );
});

Deno.test("zipLayout() switches to ZIP64 fields only where sizes or offsets need them", () => {
  const small = zipLayout([file("a", 10)]);
  // Local header 30 + name 1 + timestamp 9, data, descriptor 16; central 46 + 1 + 9; end 22.
  assertEquals(small.length, 30 + 1 + 9 + 10 + 16 + 46 + 1 + 9 + 22);
  const big = zipLayout([file("a", 2 ** 32), file("b", 1)]);
  const firstLocal = 30 + 1 + 9 + 20;
  assertEquals(big.entries[1].offset, firstLocal + 2 ** 32 + 24);
  // a: ZIP64 sizes in its central header; b: a ZIP64 offset; then the ZIP64 end records.
  const central = (46 + 1 + 9 + 4 + 16) + (46 + 1 + 9 + 4 + 8);
  assertEquals(big.centralLength, central);
  assertEquals(big.length, big.centralOffset + central + 56 + 20 + 22);
});

Deno.test("dosDateTime() clamps to the MS-DOS range", () => {
  assertEquals(dosDateTime(0), [0, (1 << 5) | 1]);
  const [time, date] = dosDateTime(new Date(2026, 10, 25, 13, 14, 16).getTime());
  assertEquals([time >> 11, (time >> 5) & 63, (time & 31) * 2], [13, 14, 16]);
  assertEquals([(date >> 9) + 1980, (date >> 5) & 15, date & 31], [2026, 11, 25]);
});

Deno.test("tarStream() errors instead of sending a file that shrank, small or large", async () => {
  for (const size of [1000, 1024 * 1024]) {
    let failure: unknown;
    try {
      await streamLength(tarStream([file("a.bin", size)], zeros(size - 600)));
    } catch (error) {
      failure = error;
    }
    assertOk(failure instanceof Error && /shrank/.test(failure.message), String(failure));
  }
});

Deno.test("zipLocalHeader() clamps the extended timestamp to a signed 32-bit time", () => {
  const entry = { name: "future.txt", isDirectory: false, size: 0, mtime: Date.UTC(2040, 5, 1) };
  const [item] = zipLayout([entry]).entries;
  const header = zipLocalHeader(item);
  const view = new DataView(header.buffer);
  // After the fixed 30 bytes and the name: tag 0x5455, size 5, flags 1, then the time.
  const at = 30 + item.name.length;
  assertEquals(view.getUint16(at, true), 0x5455);
  assertEquals(view.getUint32(at + 5, true), 0x7fffffff);
});

Deno.test("tarStream() and zipStream() end short on a file they may not read", async (t) => {
  const denied = (): never => {
    throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  };
  const files: ArchiveFiles = { read: denied, open: () => Promise.reject(denied()) };
  for (const size of [10, 1024 * 1024]) {
    await t.step(`${size} bytes`, async () => {
      for (
        const stream of [
          tarStream([file("x", size)], files),
          zipStream(zipLayout([file("x", size)]), files),
        ]
      ) {
        let failure: unknown;
        try {
          await streamLength(stream);
        } catch (error) {
          failure = error;
        }
        assertEquals((failure as Error).message, "x could not be read while being archived");
      }
    });
  }
});

Deno.test("zipStream() errors instead of sending a file that shrank", async () => {
  const entries = [file("a.bin", 1000)];
  let failure: unknown;
  try {
    await streamLength(zipStream(zipLayout(entries), zeros(400)));
  } catch (error) {
    failure = error;
  }
  assertEquals((failure as Error).message, "a.bin shrank while being archived");
});

Deno.test("zipCentralHeader() and zipEnd() write ZIP64 fields where sizes and offsets need them", () => {
  const layout = zipLayout([file("a", 2 ** 32 + 5), file("b", 1)]);
  const [big, after] = layout.entries;
  const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset);
  // The huge file: 32-bit sizes are 0xFFFFFFFF and the ZIP64 extra holds both (8 bytes each).
  const first = view(zipCentralHeader(big, 0xdeadbeef));
  assertEquals(first.getUint32(0, true), 0x02014b50);
  assertEquals(first.getUint32(16, true), 0xdeadbeef);
  assertEquals([first.getUint32(20, true), first.getUint32(24, true)], [0xffffffff, 0xffffffff]);
  const extraAt = 46 + 1 + 9; // fixed part, name "a", extended timestamp
  assertEquals([first.getUint16(extraAt, true), first.getUint16(extraAt + 2, true)], [0x0001, 16]);
  assertEquals(first.getBigUint64(extraAt + 4, true), BigInt(2 ** 32 + 5));
  assertEquals(first.getBigUint64(extraAt + 12, true), BigInt(2 ** 32 + 5));
  // The small file after it: its offset is past 4 GiB, so only the offset goes to ZIP64.
  const second = view(zipCentralHeader(after, 1));
  assertEquals(second.getUint32(42, true), 0xffffffff);
  assertEquals([second.getUint16(extraAt, true), second.getUint16(extraAt + 2, true)], [1, 8]);
  assertEquals(second.getBigUint64(extraAt + 4, true), BigInt(after.offset));
  // The end: a ZIP64 record and locator, then the classic record pointing at them.
  const end = view(zipEnd(layout));
  assertEquals(end.getUint32(0, true), 0x06064b50);
  assertEquals(end.getBigUint64(24, true), 2n);
  assertEquals(end.getBigUint64(40, true), BigInt(layout.centralLength));
  assertEquals(end.getBigUint64(48, true), BigInt(layout.centralOffset));
  assertEquals(end.getUint32(56, true), 0x07064b50);
  assertEquals(end.getBigUint64(64, true), BigInt(layout.centralOffset + layout.centralLength));
  assertEquals(end.getUint32(76, true), 0x06054b50);
  assertEquals(end.getUint32(92, true), 0xffffffff);
  assertEquals(76 + 22, end.byteLength);
});
