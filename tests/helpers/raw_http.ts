/**
 * HTTP/1.1 over a plain TCP socket, for what `fetch` cannot do: wait for
 * `100 Continue` (proof that the handler started reading the body), send a
 * body in pieces on demand, or hang up halfway.
 *
 * @module
 */

/** A final response read off the socket. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One client connection; `using` closes it. */
export class RawConnection implements Disposable {
  readonly #conn: Deno.TcpConn;
  #buffer = new Uint8Array(0);
  #closed = false;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Sends text (as UTF-8) or bytes. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    for (let offset = 0; offset < bytes.length;) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
  }

  /**
   * Reads the next response head and its `Content-Length` body. Interim
   * (1xx) responses are returned as they come, with an empty body.
   */
  async read(): Promise<RawResponse> {
    const { status, headers } = await this.readHead();
    const length = status < 200 || status === 204 ? 0 : Number(headers.get("content-length") ?? 0);
    return { status, headers, body: await this.readBody(length) };
  }

  /** Reads the next response head only; its body is left for `readBody`. */
  async readHead(): Promise<Omit<RawResponse, "body">> {
    const end = await this.#readUntilHeadEnd();
    const head = decoder.decode(this.#take(end + 4)).split("\r\n");
    const status = Number(head[0].split(" ")[1]);
    const headers = new Map<string, string>();
    for (const line of head.slice(1)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { status, headers };
  }

  /** Reads exactly `length` body bytes. */
  async readBody(length: number): Promise<Uint8Array> {
    while (this.#buffer.length < length) {
      if (!(await this.#fill())) throw new Error("Connection closed inside a response body");
    }
    return this.#take(length);
  }

  /** Reads responses until a final (non-1xx) one. */
  async readFinal(): Promise<RawResponse> {
    while (true) {
      const response = await this.read();
      if (response.status >= 200) return response;
    }
  }

  /** Closes the socket (a client hanging up). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async #readUntilHeadEnd(): Promise<number> {
    while (true) {
      const at = indexOfHeadEnd(this.#buffer);
      if (at >= 0) return at;
      if (!(await this.#fill())) throw new Error("Connection closed before a response");
    }
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.#conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buffer.length + n);
    next.set(this.#buffer);
    next.set(chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = next;
    return true;
  }

  #take(n: number): Uint8Array {
    const taken = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return taken;
  }
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** Connects to the host and port of `url`. */
export async function connectRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new RawConnection(await Deno.connect({ hostname, port: Number(port) }));
}

/**
 * Opens a connection, sends the head of a request with
 * `Expect: 100-continue` and waits for `100 Continue`: from then on the
 * server's handler is reading the body.
 */
export async function startUpload(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawConnection> {
  const connection = await connectRaw(url);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${new URL(url).host}`];
  for (const [name, value] of Object.entries({ ...headers, Expect: "100-continue" })) {
    lines.push(`${name}: ${value}`);
  }
  await connection.write(lines.join("\r\n") + "\r\n\r\n");
  const interim = await connection.read();
  if (interim.status !== 100) {
    connection.close();
    throw new Error(`Expected 100 Continue, got ${interim.status}`);
  }
  return connection;
}
