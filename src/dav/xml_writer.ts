import { DAV_NS, type XmlElement } from "./xml_reader.ts";

/** The XML declaration every WebDAV body starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** The media type of WebDAV XML bodies. */
export const XML_CONTENT_TYPE = "application/xml; charset=utf-8";

/**
 * Escapes text for element content and attribute values.
 *
 * @example
 * ```ts
 * escapeXml('a<b & "c"'); // "a&lt;b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"\r]/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\r": "&#13;",
};

/**
 * An element named by namespace and local name, with `inner` (already XML)
 * as content, written so it stands alone inside a document whose only
 * declared prefix is `D` for `DAV:`: WebDAV names get `D:`, others declare
 * their namespace as the default (`xmlns=""` for none).
 *
 * @example
 * ```ts
 * element("urn:x", "color", "red"); // '<color xmlns="urn:x">red</color>'
 * ```
 */
export function element(ns: string, local: string, inner = ""): string {
  const open = ns === DAV_NS ? `D:${local}` : `${local} xmlns="${escapeXml(ns)}"`;
  const close = ns === DAV_NS ? `D:${local}` : local;
  return inner === "" ? `<${open}/>` : `<${open}>${inner}</${close}>`;
}

/**
 * Writes a parsed element back as XML that needs no declarations from its
 * context: every element declares its own namespace, and namespaced
 * attributes get local prefixes. Used to keep dead property values exactly
 * as sent (namespaces, nested markup, text).
 */
export function serializeElement(node: XmlElement): string {
  const attributes: string[] = [];
  let prefixes = 0;
  for (const attribute of node.attributes) {
    const value = escapeXml(attribute.value);
    if (attribute.ns === "") {
      attributes.push(` ${attribute.local}="${value}"`);
    } else {
      const prefix = `a${prefixes++}`;
      attributes.push(
        ` xmlns:${prefix}="${escapeXml(attribute.ns)}" ${prefix}:${attribute.local}="${value}"`,
      );
    }
  }
  const inner = node.children.map((child) =>
    typeof child === "string" ? escapeXml(child) : serializeElement(child)
  ).join("");
  const open = `${node.local} xmlns="${escapeXml(node.ns)}"${attributes.join("")}`;
  return inner === "" ? `<${open}/>` : `<${open}>${inner}</${node.local}>`;
}

/** The start of a `207 Multi-Status` body. */
export const MULTISTATUS_START = `${XML_DECLARATION}<D:multistatus xmlns:D="DAV:">\n`;

/** The end of a `207 Multi-Status` body. */
export const MULTISTATUS_END = "</D:multistatus>\n";

/** Status lines by code, for `<D:status>`. */
const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  423: "Locked",
  424: "Failed Dependency",
  500: "Internal Server Error",
  507: "Insufficient Storage",
};

/** `HTTP/1.1 404 Not Found` for `<D:status>`. */
function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}`;
}

/** One group of properties with one status. */
export interface PropStat {
  status: number;
  /** Property elements, already XML. */
  props: string[];
}

/**
 * One `<D:response>` with `propstat` groups (empty groups are left out).
 *
 * @example
 * ```ts
 * propResponse("/a.txt", [{ status: 200, props: ["<D:getcontentlength>3</D:getcontentlength>"] }]);
 * ```
 */
export function propResponse(href: string, propstats: PropStat[]): string {
  const groups = propstats.filter((group) => group.props.length > 0).map((group) =>
    `<D:propstat><D:prop>${group.props.join("")}</D:prop>` +
    `<D:status>${statusLine(group.status)}</D:status></D:propstat>`
  );
  return `<D:response><D:href>${escapeXml(href)}</D:href>${groups.join("")}</D:response>\n`;
}

/** One `<D:response>` with a status for a resource (COPY, MOVE, DELETE failures). */
export function statusResponse(href: string, status: number, condition?: string): string {
  const error = condition === undefined ? "" : `<D:error><D:${condition}/></D:error>`;
  return `<D:response><D:href>${escapeXml(href)}</D:href>` +
    `<D:status>${statusLine(status)}</D:status>${error}</D:response>\n`;
}

/**
 * A `<D:error>` body naming a precondition (RFC 4918 §16), with `hrefs`
 * inside it when given (`lock-token-submitted` lists the locked resources).
 */
export function errorBody(condition: string, hrefs: string[] = []): string {
  const inner = hrefs.map((href) => `<D:href>${escapeXml(href)}</D:href>`).join("");
  return `${XML_DECLARATION}<D:error xmlns:D="DAV:">${
    element(DAV_NS, condition, inner)
  }</D:error>\n`;
}

/** Bytes a multistatus stream gathers before handing a chunk to the socket. */
const CHUNK_CHARS = 32 * 1024;

/**
 * A `207 Multi-Status` body from `responses` (each a `<D:response>`),
 * produced as the client reads: a pull source that asks the iterator for
 * more only when the socket wants bytes, so a folder of any size costs one
 * chunk of memory. `cancel()` (the client left) returns the iterator and
 * calls `release` (for what an iterator that never started cannot free).
 */
export function multistatusStream(
  responses: AsyncIterator<string> | Iterator<string>,
  release: () => unknown = () => {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = started ? "" : MULTISTATUS_START;
      started = true;
      while (text.length < CHUNK_CHARS) {
        const next = await responses.next();
        if (next.done) {
          controller.enqueue(encoder.encode(text + MULTISTATUS_END));
          controller.close();
          return;
        }
        text += next.value;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      try {
        await responses.return?.();
      } finally {
        await release();
      }
    },
  }, { highWaterMark: 0 });
}

/** A complete `207 Multi-Status` response from a few `<D:response>`s. */
export function multistatusResponse(responses: string[]): Response {
  return new Response(MULTISTATUS_START + responses.join("") + MULTISTATUS_END, {
    status: 207,
    headers: { "content-type": XML_CONTENT_TYPE },
  });
}
