import fc from "fast-check";
import { assertEquals, assertThrows } from "./helpers/assert.ts";
import { HttpError } from "../src/http/http_error.ts";
import {
  parseStructuredBoolean,
  parseUploadChecksum,
  parseUploadInteger,
  parseUploadMetadata,
} from "../src/tus/upload_fields.ts";
import {
  checkAppendType,
  detectProtocol,
  discoveryHeaders,
  progressHeaders,
} from "../src/tus/upload_protocol.ts";
import { appendLength, creationLength } from "../src/tus/upload_lengths.ts";
import { parseDuration } from "../src/config/parse_duration.ts";
import { parseConfig } from "../src/config/parse_config.ts";
import { UsageError } from "../src/config/usage_error.ts";
import { isHiddenName } from "../src/path/decode_path.ts";
import { checkWritablePath } from "../src/path/check_writable_path.ts";

function status(fn: () => unknown): number | "ok" {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

Deno.test("parseUploadMetadata() decodes base64 pairs as in the tus spec", async (t) => {
  const rows: [string | null, Record<string, string>][] = [
    [null, {}],
    ["", {}],
    ["filename d29ybGRfZG9taW5hdGlvbi5wZGY=,is_confidential", {
      filename: "world_domination.pdf",
      is_confidential: "",
    }],
    ["filename w6lsw6kudHh0", { filename: "élé.txt" }],
    [" a YQ== , b Yg== ", { a: "a", b: "b" }],
  ];
  for (const [input, expected] of rows) {
    await t.step(JSON.stringify(input), () => {
      assertEquals({ ...parseUploadMetadata(input) }, expected);
    });
  }
});

Deno.test("parseUploadMetadata() answers 400 for malformed metadata", async (t) => {
  for (
    const input of ["a YQ== x", "a !!!", "a YQ=,b", "a YQ==,a Yg==", "a /w==", ",", "a\tb YQ=="]
  ) {
    await t.step(input, () => assertEquals(status(() => parseUploadMetadata(input)), 400));
  }
});

Deno.test("parseUploadMetadata() round-trips any UTF-8 value", () => {
  fc.assert(fc.property(fc.string(), (value) => {
    const bytes = new TextEncoder().encode(value);
    const encoded = btoa(String.fromCharCode(...bytes));
    assertEquals(parseUploadMetadata(`k ${encoded}`).k, value);
  }));
});

Deno.test("parseUploadInteger() accepts only non-negative integers of up to 15 digits", async (t) => {
  const rows: [string | null, number | null | 400][] = [
    [null, null],
    ["0", 0],
    [" 42 ", 42],
    ["999999999999999", 999999999999999],
    ["1000000000000000", 400],
    ["-1", 400],
    ["1.5", 400],
    ["", 400],
    ["0x10", 400],
  ];
  for (const [input, expected] of rows) {
    await t.step(String(input), () => {
      if (expected === 400) {
        assertEquals(status(() => parseUploadInteger(input, "Upload-Offset")), 400);
      } else assertEquals(parseUploadInteger(input, "Upload-Offset"), expected);
    });
  }
});

Deno.test("parseStructuredBoolean() reads ?1 and ?0 and nothing else", async (t) => {
  const rows: [string | null, boolean | null | 400][] = [
    [null, null],
    ["?1", true],
    ["?0", false],
    [" ?1 ", true],
    ["1", 400],
    ["true", 400],
    ["?2", 400],
  ];
  for (const [input, expected] of rows) {
    await t.step(String(input), () => {
      if (expected === 400) {
        assertEquals(status(() => parseStructuredBoolean(input, "Upload-Complete")), 400);
      } else assertEquals(parseStructuredBoolean(input, "Upload-Complete"), expected);
    });
  }
});

Deno.test("parseUploadChecksum() reads an algorithm and a digest of its length", async (t) => {
  // sha1("hello") and md5("hello"), base64.
  const sha1 = parseUploadChecksum("sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00=");
  assertEquals(sha1?.algorithm, "sha1");
  assertEquals(sha1?.digest.length, 20);
  assertEquals(parseUploadChecksum("MD5 XUFAKrxLKna5cZ2REBfFkg==")?.algorithm, "md5");
  assertEquals(parseUploadChecksum(null), null);
  for (
    const bad of [
      "sha1",
      "crc32 AAAA",
      "sha1 qvTG",
      "sha256 qvTGHdzF6KLavt4PO0gs2a6pQ00=",
      "sha1 !!!!",
    ]
  ) {
    await t.step(bad, () => assertEquals(status(() => parseUploadChecksum(bad)), 400));
  }
});

Deno.test("detectProtocol() tells tus from the IETF draft", async (t) => {
  const rows: [Record<string, string>, unknown][] = [
    [{ "tus-resumable": "1.0.0" }, { kind: "tus" }],
    [{ "upload-draft-interop-version": "6" }, { kind: "ietf", interop: 6 }],
    [{ "upload-draft-interop-version": "8" }, { kind: "ietf", interop: 8 }],
    [{ "upload-complete": "?0" }, { kind: "ietf", interop: null }],
    [{}, null],
    [{ "tus-resumable": "0.2.2" }, 412],
    [{ "upload-draft-interop-version": "3" }, 400],
    [{ "upload-draft-interop-version": "x" }, 400],
  ];
  for (const [headers, expected] of rows) {
    await t.step(JSON.stringify(headers), () => {
      if (typeof expected === "number") {
        assertEquals(status(() => detectProtocol(new Headers(headers))), expected);
      } else assertEquals(detectProtocol(new Headers(headers)), expected);
    });
  }
});

Deno.test("progressHeaders() speaks each protocol's fields", () => {
  const upload = { offset: 5, length: 10, complete: false, expiresAt: Date.UTC(2030, 0, 1) };
  const now = Date.UTC(2030, 0, 1) - 60_000;
  assertEquals(progressHeaders({ kind: "tus" }, upload, 100, now), {
    "upload-offset": "5",
    "cache-control": "no-store",
    "tus-resumable": "1.0.0",
    "upload-length": "10",
    "upload-expires": "Tue, 01 Jan 2030 00:00:00 GMT",
  });
  assertEquals(progressHeaders({ kind: "ietf", interop: 6 }, upload, 100, now), {
    "upload-offset": "5",
    "cache-control": "no-store",
    "upload-draft-interop-version": "6",
    "upload-complete": "?0",
    "upload-length": "10",
    "upload-limit": "max-size=100, max-age=60",
  });
  const deferred = progressHeaders({ kind: "tus" }, { ...upload, length: null }, 100, now);
  assertEquals(deferred["upload-defer-length"], "1");
});

Deno.test("discoveryHeaders() announces the tus extensions and checksums", () => {
  const headers = discoveryHeaders(1024);
  assertEquals(headers["tus-max-size"], "1024");
  assertEquals(
    headers["tus-extension"],
    "creation,creation-with-upload,creation-defer-length,termination,expiration,checksum",
  );
  assertEquals(headers["tus-checksum-algorithm"], "sha1,sha256,md5");
});

Deno.test("checkAppendType() wants each protocol's media type", async (t) => {
  const rows: [string, string | null, number | "ok"][] = [
    ["tus", "application/offset+octet-stream", "ok"],
    ["tus", "application/octet-stream", 415],
    ["tus", null, 415],
    ["ietf", "application/partial-upload", "ok"],
    ["ietf", null, "ok"],
    ["ietf", "text/plain", 415],
  ];
  for (const [kind, type, expected] of rows) {
    await t.step(`${kind} ${type}`, () => {
      const protocol = kind === "tus"
        ? { kind: "tus" as const }
        : { kind: "ietf" as const, interop: 6 };
      assertEquals(status(() => checkAppendType(protocol, type)), expected);
    });
  }
});

Deno.test("parseDuration() reads whole numbers with a unit", async (t) => {
  const rows: [string, number | "error"][] = [
    ["24h", 86_400_000],
    ["30m", 1_800_000],
    ["90s", 90_000],
    ["250ms", 250],
    ["7d", 604_800_000],
    ["0h", "error"],
    ["1.5h", "error"],
    ["24", "error"],
    ["h", "error"],
  ];
  for (const [text, expected] of rows) {
    await t.step(text, () => {
      if (expected === "error") {
        assertThrows(() => parseDuration(text, "--upload-expiry"), UsageError);
      } else assertEquals(parseDuration(text, "--upload-expiry"), expected);
    });
  }
});

Deno.test("parseConfig() reads --upload-expiry and SLUICE_UPLOAD_EXPIRY", async (t) => {
  const rows: [string[], Record<string, string>, number | "error"][] = [
    [[], {}, 86_400_000],
    [["--upload-expiry", "30m"], {}, 1_800_000],
    [[], { SLUICE_UPLOAD_EXPIRY: "2h" }, 7_200_000],
    [["--upload-expiry", "1h"], { SLUICE_UPLOAD_EXPIRY: "2h" }, 3_600_000],
    [["--upload-expiry", "soon"], {}, "error"],
  ];
  for (const [argv, env, expected] of rows) {
    await t.step(`${argv.join(" ")} ${JSON.stringify(env)}`, () => {
      if (expected === "error") assertThrows(() => parseConfig(argv, env), UsageError);
      else assertEquals(parseConfig(argv, env).uploadExpiry, expected);
    });
  }
});

Deno.test("isHiddenName() hides resumable temp files even with --dotfiles", () => {
  assertEquals(isHiddenName(".sluice-tus-0123", true), true);
  assertEquals(isHiddenName(".sluice-upload-0123", true), true);
  assertEquals(isHiddenName(".profile", true), false);
  assertEquals(status(() => checkWritablePath([".sluice-tus-x"], true)), 400);
});

Deno.test("creationLength() takes one length indication per protocol", async (t) => {
  const tus = { kind: "tus" as const };
  const ietf = { kind: "ietf" as const, interop: 6 };
  const none = { uploadLength: null, deferLength: null, complete: null, contentLength: null };
  const rows: [string, Parameters<typeof creationLength>, number | null | 400][] = [
    ["tus length", [tus, { ...none, uploadLength: 10 }], 10],
    ["tus deferred", [tus, { ...none, deferLength: "1" }], null],
    ["tus neither", [tus, none], 400],
    ["tus both", [tus, { ...none, uploadLength: 1, deferLength: "1" }], 400],
    ["tus defer 2", [tus, { ...none, deferLength: "2" }], 400],
    ["ietf no Upload-Complete", [ietf, none], 400],
    ["ietf incomplete, unknown", [ietf, { ...none, complete: false, contentLength: 5 }], null],
    ["ietf complete: the content", [ietf, { ...none, complete: true, contentLength: 5 }], 5],
    ["ietf both agree", [ietf, { ...none, uploadLength: 5, complete: true, contentLength: 5 }], 5],
    ["ietf disagree", [ietf, { ...none, uploadLength: 6, complete: true, contentLength: 5 }], 400],
  ];
  for (const [name, args, expected] of rows) {
    await t.step(name, () => {
      if (expected === 400) assertEquals(status(() => creationLength(...args)), 400);
      else assertEquals(creationLength(...args), expected);
    });
  }
});

Deno.test("appendLength() keeps every indication consistent", async (t) => {
  const base = { known: null, uploadLength: null, offset: 10, completes: false, contentLength: 5 };
  const rows: [string, Parameters<typeof appendLength>[0], number | null | 400][] = [
    ["unknown stays unknown", base, null],
    ["known stays", { ...base, known: 20 }, 20],
    ["deferred length arrives", { ...base, uploadLength: 20 }, 20],
    ["a different length", { ...base, known: 20, uploadLength: 21 }, 400],
    ["completing: offset + content", { ...base, completes: true }, 15],
    ["completing against the known length", { ...base, known: 20, completes: true }, 400],
    ["shorter than the offset", { ...base, uploadLength: 5 }, 400],
  ];
  for (const [name, fields, expected] of rows) {
    await t.step(name, () => {
      if (expected === 400) assertEquals(status(() => appendLength(fields)), 400);
      else assertEquals(appendLength(fields), expected);
    });
  }
});
