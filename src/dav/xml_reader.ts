import { SaxesParser } from "saxes";
import { HttpError } from "../http/http_error.ts";

/** An attribute with its namespace URI (`""` for none). */
export interface XmlAttribute {
  ns: string;
  local: string;
  value: string;
}

/** An element with its namespace URI (`""` for none) and its children in order. */
export interface XmlElement {
  ns: string;
  local: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

/** A child: an element or a run of text. */
export type XmlNode = XmlElement | string;

/** Bounds on what a request body may cost. */
export interface XmlLimits {
  /** Largest body in bytes (413 beyond). */
  maxBytes: number;
  /** Deepest element nesting (400 beyond). */
  maxDepth: number;
  /** Most elements in one document (400 beyond). */
  maxElements: number;
}

/** The limits WebDAV request bodies get: far above any real client's PROPPATCH or LOCK. */
const DAV_XML_LIMITS: XmlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxElements: 10_000,
};

/** The XML namespace of WebDAV elements. */
export const DAV_NS = "DAV:";

/** A body that is not acceptable XML; the message says why. */
export class XmlError extends SyntaxError {
  override name = "XmlError";
}

/**
 * Parses an XML document with a namespace-aware parser and no DTD support:
 * a `<!DOCTYPE` is refused outright, so neither external entities (XXE) nor
 * entity expansion (billion laughs) can happen, and only the five
 * predefined entities and character references are known.
 *
 * @throws {XmlError} for malformed XML, a DTD, undeclared prefixes, or
 * nesting or element counts beyond `limits`.
 *
 * @example
 * ```ts
 * const root = parseXml('<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>');
 * root.local; // "propfind"
 * ```
 */
export function parseXml(text: string, limits: XmlLimits = DAV_XML_LIMITS): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let failure: XmlError | null = null;
  const fail = (message: string) => {
    failure ??= new XmlError(message);
    throw failure;
  };
  parser.on("error", (error) => fail(`Malformed XML: ${error.message}`));
  parser.on("doctype", () => fail("XML with a DTD is not accepted"));
  parser.on("opentag", (tag) => {
    if (++elements > limits.maxElements) fail("XML has too many elements");
    if (stack.length >= limits.maxDepth) fail("XML is nested too deeply");
    const attributes: XmlAttribute[] = [];
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix === "xmlns" || attribute.name === "xmlns") continue;
      attributes.push({ ns: attribute.uri, local: attribute.local, value: attribute.value });
    }
    const element: XmlElement = {
      ns: tag.uri ?? "",
      local: tag.local ?? tag.name,
      attributes,
      children: [],
    };
    if (stack.length === 0) root = element;
    else stack[stack.length - 1].children.push(element);
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("text", (value) => {
    if (stack.length > 0) stack[stack.length - 1].children.push(value);
  });
  parser.on("cdata", (value) => {
    if (stack.length > 0) stack[stack.length - 1].children.push(value);
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (failure !== null) throw failure;
    throw new XmlError(`Malformed XML: ${error instanceof Error ? error.message : error}`);
  }
  if (root === null) throw new XmlError("XML has no root element");
  return root;
}

/**
 * Reads a request body as XML: `null` when the body is empty, else the root
 * element. The body is read up to `limits.maxBytes`, never further.
 *
 * @throws {HttpError} 413 past the size limit, 400 for malformed XML (with
 * the reason). The `Content-Type` is not checked: clients send XML as
 * `text/xml`, `application/xml` or nothing at all.
 */
export async function readXmlBody(
  request: Request,
  limits: XmlLimits = DAV_XML_LIMITS,
): Promise<XmlElement | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBytes) {
    await request.body?.cancel();
    throw new HttpError(413, "XML body too large");
  }
  if (request.body === null) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > limits.maxBytes) throw new HttpError(413, "XML body too large");
    chunks.push(chunk);
  }
  if (size === 0) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(concat(chunks, size));
  } catch {
    throw new HttpError(400, "XML body is not valid UTF-8");
  }
  try {
    return parseXml(text, limits);
  } catch (error) {
    if (error instanceof XmlError) throw new HttpError(400, error.message);
    throw error;
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The child elements of `element` (text left out). */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== "string");
}

/** Whether `element` is the WebDAV element `local`. */
export function isDav(element: XmlElement, local: string): boolean {
  return element.ns === DAV_NS && element.local === local;
}
