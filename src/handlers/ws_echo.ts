import type { Handler } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import { openStream } from "../stream_slots.ts";

/** Largest WebSocket message echoed, in bytes; larger ones close with 1009. */
export const MAX_WS_MESSAGE = 64 * 1024;

const encoder = new TextEncoder();

/**
 * `GET /_/ws/echo` (bidirectional): a WebSocket that answers each message
 * with `Received: <message>` (binary messages: `Received: <n> bytes`). A
 * message over 64 KiB closes the socket with 1009; server shutdown closes
 * it with 1001. Deno has no receive-size option, so the cap is checked on
 * each delivered message.
 */
export const wsEcho: Handler = (request, ctx) => {
  if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
    throw new HttpError(426, "Expected a WebSocket upgrade", { upgrade: "websocket" });
  }
  const release = openStream(ctx, "websocket");
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(request);
  } catch {
    release();
    throw new HttpError(400, "Invalid WebSocket upgrade");
  }
  const { socket, response } = upgraded;
  socket.binaryType = "arraybuffer";
  const signal = ctx.state.shutdownSignal;
  const onShutdown = () => socket.close(1001, "Server is shutting down");
  signal.addEventListener("abort", onShutdown, { once: true });
  socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
    const size = typeof event.data === "string"
      ? encoder.encode(event.data).length
      : event.data.byteLength;
    if (size > MAX_WS_MESSAGE) {
      socket.close(1009, "Message too big");
      return;
    }
    socket.send(
      typeof event.data === "string" ? `Received: ${event.data}` : `Received: ${size} bytes`,
    );
  };
  socket.onclose = () => {
    signal.removeEventListener("abort", onShutdown);
    release();
  };
  return response;
};
