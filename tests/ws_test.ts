import { streamsClosed } from "../src/stream_slots.ts";
import { assertEquals } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { captureConsole } from "./helpers/console.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

/** Opens a WebSocket and resolves once it is open; queues what it receives. */
async function openSocket(url: string) {
  const socket = new WebSocket(url.replace(/^http/, "ws"));
  const messages: string[] = [];
  let waiting: (() => void) | null = null;
  socket.onmessage = (event) => {
    messages.push(event.data);
    waiting?.();
  };
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  await deadline(
    new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    }),
    "the socket to open",
  );
  return {
    socket,
    closed,
    async next(): Promise<string> {
      while (messages.length === 0) {
        await deadline(new Promise<void>((resolve) => waiting = resolve), "a message");
      }
      return messages.shift()!;
    },
  };
}

Deno.test("wsEcho() answers each message with Received: <message>", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const ws = await openSocket(server.href("/_/ws/echo"));
  ws.socket.send("hello");
  assertEquals(await ws.next(), "Received: hello");
  ws.socket.send("안녕 👋");
  assertEquals(await ws.next(), "Received: 안녕 👋");
  ws.socket.send(new Uint8Array(3));
  assertEquals(await ws.next(), "Received: 3 bytes");
  const health = await (await fetch(server.href("/_/health"))).json();
  assertEquals(health.streams.websocket, 1);
  ws.socket.close();
  await ws.closed;
  await deadline(streamsClosed(server.state), "the server to release the socket");
  const after = await (await fetch(server.href("/_/health"))).json();
  assertEquals(after.streams.websocket, 0);
});

Deno.test("wsEcho() closes with 1009 when a message is over 64 KiB", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const ws = await openSocket(server.href("/_/ws/echo"));
  ws.socket.send("x".repeat(64 * 1024));
  assertEquals((await ws.next()).length, "Received: ".length + 64 * 1024);
  ws.socket.send("x".repeat(64 * 1024 + 1));
  const event = await deadline(ws.closed, "the close");
  assertEquals([event.code, event.reason], [1009, "Message too big"]);
  await deadline(streamsClosed(server.state), "the server to release the socket");
});

Deno.test("wsEcho() answers 426 to a plain GET", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/ws/echo"));
  assertEquals(res.status, 426);
  assertEquals(res.headers.get("upgrade"), "websocket");
  await res.body?.cancel();
});

Deno.test("wsEcho() closes sockets with 1001 on shutdown", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const ws = await openSocket(server.href("/_/ws/echo"));
  const stopping = server.shutdown(5000);
  const event = await deadline(ws.closed, "the close");
  assertEquals(event.code, 1001);
  await deadline(stopping, "the server to stop");
});

Deno.test("wsEcho() with the access log and CORS on: echoes, logs 101, keeps serving", async () => {
  await using dir = await tempDir({ "a.txt": "still here" });
  const lines = await captureConsole("log", async () => {
    // Both read the response after the upgrade: the log line (client
    // address) and CORS (headers of a 101 are final).
    await using server = startTestServer(dir.path, { quiet: false, cors: "*" });
    const ws = await openSocket(server.href("/_/ws/echo"));
    ws.socket.send("hi");
    assertEquals(await ws.next(), "Received: hi");
    ws.socket.close();
    await ws.closed;
    const res = await fetch(server.href("/a.txt"));
    assertEquals(await res.text(), "still here");
    await deadline(streamsClosed(server.state), "the socket's release");
  });
  assertEquals(lines.filter((l) => / \/_\/ws\/echo 101 /.test(l)).length, 1, lines.join("\n"));
});
