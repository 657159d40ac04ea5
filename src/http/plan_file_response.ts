import { formatHttpDate } from "./http_date.ts";
import { evaluatePreconditions, type Validators } from "./preconditions.ts";
import type { ByteRange } from "./range.ts";
import { requestedRange, singleRangeHeaders } from "./requested_range.ts";

/** What is known about the file being served. */
export interface Representation extends Validators {
  lastModified: number;
  size: number;
  contentType: string;
  /** Defaults to `no-cache` (always revalidate). */
  cacheControl?: string;
}

/** How the body of a planned response is produced. */
export type BodyPlan =
  | { type: "none" }
  | { type: "full" }
  | { type: "range"; range: ByteRange }
  | { type: "multipart"; ranges: ByteRange[] };

/** Status, headers and body plan for a GET or HEAD of a file. */
export interface FilePlan {
  status: 200 | 206 | 304 | 412 | 416;
  headers: [string, string][];
  body: BodyPlan;
}

const CONDITIONAL_HEADERS = [
  "range",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
];

/**
 * Whether a request carries a header that can change the answer to a GET
 * from a plain `200` (`If-Range` only matters together with `Range`).
 */
export function isConditional(request: { get(name: string): string | null }): boolean {
  return CONDITIONAL_HEADERS.some((name) => request.get(name) !== null);
}

/**
 * Decides the whole response to a GET or HEAD of a file before any byte is
 * read: preconditions (RFC 9110 §13.2.2), then Range gated by If-Range.
 * A `Range` on anything but GET is ignored, so HEAD answers exactly the
 * headers of the GET without `Range`.
 * Multipart framing is left to the caller, which knows the boundary; here
 * `Content-Length` is set for every plan except multipart.
 */
export function planFileResponse(
  method: string,
  request: { get(name: string): string | null },
  rep: Representation,
): FilePlan {
  const validators: [string, string][] = [
    ["etag", rep.etag],
    ["last-modified", formatHttpDate(new Date(rep.lastModified))],
    ["cache-control", rep.cacheControl ?? "no-cache"],
  ];
  const head = method === "HEAD";
  const outcome = evaluatePreconditions(method, request, rep);
  if (outcome === "not-modified") {
    return { status: 304, headers: validators, body: { type: "none" } };
  }
  if (outcome === "precondition-failed") {
    return { status: 412, headers: [], body: { type: "none" } };
  }

  const common: [string, string][] = [
    ...validators,
    ["accept-ranges", "bytes"],
    ["x-content-type-options", "nosniff"],
  ];
  const range = requestedRange(method, request, rep, rep.size);

  if (range.type === "unsatisfiable") {
    return {
      status: 416,
      headers: [...common, ["content-range", `bytes */${rep.size}`]],
      body: { type: "none" },
    };
  }
  if (range.type === "ranges" && range.ranges.length === 1) {
    const r = range.ranges[0];
    return {
      status: 206,
      headers: [
        ...common,
        ["content-type", rep.contentType],
        ...singleRangeHeaders(r, rep.size),
      ],
      body: head ? { type: "none" } : { type: "range", range: r },
    };
  }
  if (range.type === "ranges") {
    return {
      status: 206,
      headers: common,
      body: { type: "multipart", ranges: range.ranges },
    };
  }
  return {
    status: 200,
    headers: [
      ...common,
      ["content-type", rep.contentType],
      ["content-length", String(rep.size)],
    ],
    body: head || rep.size === 0 ? { type: "none" } : { type: "full" },
  };
}
