/**
 * Micro-benchmarks of the per-request protocol logic and the stream
 * transforms: `deno task bench:micro`.
 *
 * @module
 */
import { tarHeader } from "../../src/archive/tar_format.ts";
import { zipCentralHeader, zipLayout, zipLocalHeader } from "../../src/archive/zip_format.ts";
import { makeEtag } from "../../src/http/etag.ts";
import { evaluatePreconditions } from "../../src/http/preconditions.ts";
import { planFileResponse } from "../../src/http/plan_file_response.ts";
import { parseRange } from "../../src/http/range.ts";
import { decodePath } from "../../src/path/decode_path.ts";
import {
  multipartByterangesStream,
  multipartLayout,
} from "../../src/streams/multipart_byteranges_stream.ts";
import { memoryRangeSource } from "../../src/streams/memory_range_source.ts";
import { SseEncoderStream, type SseMessage } from "../../src/streams/sse_encoder_stream.ts";

const SIZE = 1024 ** 3;
const MTIME = Date.UTC(2026, 0, 2, 3, 4, 5);
const ETAG = makeEtag({ size: SIZE, mtime: MTIME, ino: 42 });
const rep = {
  etag: ETAG,
  lastModified: MTIME,
  size: SIZE,
  contentType: "application/octet-stream",
};
const none = new Headers();
const range = new Headers({ range: "bytes=1000-66535" });
const conditional = new Headers({
  "if-none-match": `"other", ${ETAG}`,
  "if-modified-since": new Date(MTIME).toUTCString(),
});

Deno.bench("parseRange() one range", { group: "parseRange", baseline: true }, () => {
  parseRange("bytes=1000-66535", SIZE);
});
Deno.bench("parseRange() suffix range", { group: "parseRange" }, () => {
  parseRange("bytes=-500", SIZE);
});
Deno.bench("parseRange() 16 ranges to coalesce", { group: "parseRange" }, () => {
  parseRange(
    "bytes=0-9,5-19,100-199,150-300,1000-1999,2000-2999,5000-,10-11,400-500,600-700," +
      "800-900,1000-1100,1200-1300,1400-1500,1600-1700,1800-1900",
    SIZE,
  );
});

Deno.bench("evaluatePreconditions() without conditional headers", {
  group: "preconditions",
  baseline: true,
}, () => {
  evaluatePreconditions("GET", none, rep);
});
Deno.bench("evaluatePreconditions() If-None-Match list and If-Modified-Since", {
  group: "preconditions",
}, () => {
  evaluatePreconditions("GET", conditional, rep);
});

Deno.bench("decodePath() plain path", { group: "decodePath", baseline: true }, () => {
  decodePath("/assets/img/logo.png");
});
Deno.bench("decodePath() percent-encoded path", { group: "decodePath" }, () => {
  decodePath("/M%C3%BCsic/caf%C3%A9%20%26%20bar/track%2001.flac");
});

Deno.bench("planFileResponse() plain GET", { group: "plan", baseline: true }, () => {
  planFileResponse("GET", none, rep);
});
Deno.bench("planFileResponse() GET with one range", { group: "plan" }, () => {
  planFileResponse("GET", range, rep);
});
Deno.bench("planFileResponse() revalidation (304)", { group: "plan" }, () => {
  planFileResponse("GET", conditional, rep);
});

const FILE = new Uint8Array(1024 * 1024).map((_, i) => i & 0xff);

Deno.bench("multipartByterangesStream() 4 parts of 64 KiB", { group: "streams" }, async () => {
  const ranges = [0, 1, 2, 3].map((i) => ({ start: i * 200_000, end: i * 200_000 + 65_535 }));
  const layout = multipartLayout(ranges, FILE.length, "application/octet-stream", "b0undary");
  for await (const _ of multipartByterangesStream(memoryRangeSource(FILE), ranges, layout)) {
    // Consuming is the point.
  }
});

const MESSAGES: SseMessage[] = Array.from({ length: 100 }, (_, i) => ({
  id: i,
  event: "change",
  data: JSON.stringify({ path: `/dir/file-${i}.txt`, kind: "modify" }),
}));

Deno.bench("SseEncoderStream 100 change events", { group: "streams" }, async () => {
  for await (const _ of ReadableStream.from(MESSAGES).pipeThrough(new SseEncoderStream())) {
    // Consuming is the point.
  }
});

// Archive framing: per entry of a folder download.
const entries = Array.from({ length: 1000 }, (_, i) => ({
  name: `photos/2026/trip ${i}/IMG_${i}.jpg`,
  isDirectory: false,
  size: 3_000_000 + i,
  mtime: MTIME,
}));
Deno.bench("tarHeader() ustar entry", { group: "archive", baseline: true }, () => {
  tarHeader(entries[0]);
});
Deno.bench("tarHeader() long name (pax)", { group: "archive" }, () => {
  tarHeader({ ...entries[0], name: "deep/".repeat(40) + "file.bin" });
});
Deno.bench("zipLayout() 1,000 entries", { group: "archive" }, () => {
  zipLayout(entries);
});
const layout = zipLayout(entries);
Deno.bench("zipLocalHeader() + zipCentralHeader() one entry", { group: "archive" }, () => {
  zipLocalHeader(layout.entries[500]);
  zipCentralHeader(layout.entries[500], 0x12345678);
});
