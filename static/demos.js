// The stream demos on /_/: each one is a small client of a Sluice endpoint.

import { plainUrl } from "./dom.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {HTMLElement} list
 * @param {string} text
 * @param {string} [className]
 */
function logLine(list, text, className) {
  const li = document.createElement("li");
  li.textContent = text;
  if (className) li.className = className;
  list.append(li);
  list.scrollTop = list.scrollHeight;
  return li;
}

/**
 * Wires Start/Stop of a form: `run` gets the form's values and returns a
 * stop function; Stop (or `done`) re-enables Start.
 * @param {HTMLFormElement} form
 * @param {(values: FormData, done: () => void) => () => void} run
 */
function startStop(form, run) {
  const start = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
  const stopButton = /** @type {HTMLButtonElement} */ (form.querySelector("button.stop"));
  /** @type {(() => void) | null} */
  let stop = null;
  const done = () => {
    stop?.();
    stop = null;
    start.disabled = false;
    stopButton.disabled = true;
    form.dataset.state = "done";
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    stop?.();
    start.disabled = true;
    stopButton.disabled = false;
    form.dataset.state = "running";
    stop = run(new FormData(form), done);
  });
  stopButton.addEventListener("click", () => {
    done();
    form.dataset.state = "stopped";
    start.focus();
  });
  // Leaving the page (even into the back/forward cache) ends a running
  // demo, so its stream does not hold one of the browser's few connections.
  addEventListener("pagehide", () => {
    if (stop === null) return;
    done();
    form.dataset.state = "stopped";
  });
}

/** @param {FormData} values @param {string[]} names */
function query(values, names) {
  const params = new URLSearchParams();
  for (const name of names) params.set(name, String(values.get(name) ?? ""));
  return params;
}

/**
 * The error text of a failed stream request, when there is one.
 * @param {string} url
 * @returns {Promise<string>}
 */
async function reasonFor(url) {
  try {
    const res = await fetch(plainUrl(url), { headers: { accept: "text/plain" } });
    if (res.ok) {
      // The stream itself works: do not read (and restart) it just for a reason.
      await res.body?.cancel();
      return "Connection lost";
    }
    return `${res.status}: ${(await res.text()).trim()}`;
  } catch {
    return "Connection lost";
  }
}

function countdown() {
  const form = /** @type {HTMLFormElement} */ ($("countdown-form"));
  const now = $("countdown-now");
  const log = $("countdown-log");
  startStop(form, (values, done) => {
    log.replaceChildren();
    now.textContent = "…";
    const url = `/_/sse/countdown?${query(values, ["from", "interval"])}`;
    const source = new EventSource(url);
    source.addEventListener("message", (event) => {
      now.textContent = event.data;
      logLine(log, `id ${event.lastEventId}: ${event.data}`);
    });
    source.addEventListener("done", (event) => {
      now.textContent = "Liftoff!";
      logLine(log, `done: ${/** @type {MessageEvent} */ (event).data}`, "final");
      done();
    });
    source.addEventListener("error", async () => {
      // The stream ended without "done", or could not start.
      if (source.readyState === EventSource.CONNECTING) return;
      logLine(log, await reasonFor(url), "error");
      done();
    });
    return () => source.close();
  });
}

/**
 * Calls `onEvent(type, data)` for each event of a `text/event-stream` body,
 * as Sluice writes them (`event:` and `data:` lines, LF line ends).
 * @param {ReadableStream<Uint8Array>} body
 * @param {(type: string, data: string) => void} onEvent
 */
async function readEvents(body, onEvent) {
  let buffer = "";
  let type = "";
  /** @type {string[]} */
  let data = [];
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) onEvent(type || "message", data.join("\n"));
        type = "";
        data = [];
      } else if (line.startsWith("event: ")) {
        type = line.slice(7);
      } else if (line.startsWith("data:")) {
        data.push(line.slice(5).replace(/^ /, ""));
      }
    }
  }
}

/**
 * The token panel: the fake model at /_/sse/tokens (an EventSource), or
 * ("Model", which the server shows only when it relays one) a real model's answer
 * from POST /_/sse/chat, read as a stream so that an error status shows
 * its reason without asking the model again. Both send one `data:` event
 * per token and end with `[DONE]`; the relay may end with one
 * `event: error` instead. Stop closes the stream, and the server then
 * aborts its request to the model.
 */
function tokens() {
  const form = /** @type {HTMLFormElement} */ ($("tokens-form"));
  const reply = $("tokens-reply");
  const meta = $("tokens-meta");
  const textLabel = $("tokens-text-label");
  const delay = $("tokens-delay");
  const delayInput = /** @type {HTMLInputElement} */ (form.elements.namedItem("delay"));
  const showMode = () => {
    const model = new FormData(form).get("mode") === "model";
    form.dataset.mode = model ? "model" : "demo";
    textLabel.textContent = model ? "Message" : "Text";
    delay.hidden = model;
    delayInput.disabled = model;
  };
  form.addEventListener("change", showMode);
  showMode();

  startStop(form, (values, done) => {
    reply.textContent = "";
    reply.classList.add("typing");
    meta.textContent = "";
    const started = performance.now();
    let count = 0;
    let first = 0;
    /** @param {string} data */
    const onToken = (data) => {
      if (data === "[DONE]") {
        const ms = Math.round(performance.now() - started);
        meta.textContent = `${count} tokens · first after ${first} ms · all in ${ms} ms`;
        form.dataset.tokens = String(count);
        done();
        return;
      }
      if (count === 0) first = Math.round(performance.now() - started);
      count++;
      reply.textContent += data;
    };
    /** @param {string} text */
    const fail = (text) => {
      meta.textContent = text;
      done();
    };
    const stopTyping = () => reply.classList.remove("typing");

    if (values.get("mode") === "model") {
      const controller = new AbortController();
      (async () => {
        const res = await fetch(plainUrl("/_/sse/chat"), {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream" },
          body: JSON.stringify({ message: String(values.get("text") ?? "") }),
          signal: controller.signal,
        });
        if (!res.ok || !res.body) return fail(`${res.status}: ${(await res.text()).trim()}`);
        await readEvents(res.body, (type, data) => {
          if (type === "error") fail(`Model error: ${data}`);
          else onToken(data);
        });
        if (!controller.signal.aborted) fail("The stream ended early");
      })().catch(() => {
        if (!controller.signal.aborted) fail("Connection lost");
      });
      return () => {
        controller.abort();
        stopTyping();
      };
    }

    const url = `/_/sse/tokens?${query(values, ["text", "delay"])}`;
    const source = new EventSource(url);
    source.addEventListener("message", (event) => onToken(event.data));
    source.addEventListener("error", async () => {
      if (source.readyState === EventSource.CONNECTING) return;
      fail(await reasonFor(url));
    });
    return () => {
      source.close();
      stopTyping();
    };
  });
}

function progress() {
  const form = /** @type {HTMLFormElement} */ ($("progress-form"));
  const bar = /** @type {HTMLProgressElement} */ ($("progress-bar"));
  const log = $("progress-log");
  startStop(form, (values, done) => {
    log.replaceChildren();
    bar.value = 0;
    const controller = new AbortController();
    const url = `/_/stream?${query(values, ["message", "steps", "interval"])}`;
    /** @param {string} line */
    const onLine = (line) => {
      if (line.trim() === "") return;
      let text = line;
      try {
        const obj = JSON.parse(line);
        if (typeof obj.step === "number" && typeof obj.total === "number") {
          bar.max = obj.total;
          bar.value = obj.step;
        }
        text = obj.message ?? obj.content ?? obj.text ?? line;
      } catch {
        // Plain text lines: "Processing file 2/3..."
        const m = /(\d+)\/(\d+)/.exec(line);
        if (m) {
          bar.max = Number(m[2]);
          bar.value = Number(m[1]);
        }
      }
      logLine(log, String(text));
    };
    (async () => {
      const res = await fetch(plainUrl(url), {
        headers: { accept: "application/x-ndjson" },
        signal: controller.signal,
      });
      if (!res.ok || !res.body) throw new Error(`${res.status}: ${(await res.text()).trim()}`);
      let buffer = "";
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        lines.forEach(onLine);
      }
      onLine(buffer);
      bar.value = bar.max;
      logLine(log, "Stream ended", "final");
    })().catch((error) => {
      if (!controller.signal.aborted) logLine(log, String(error.message ?? error), "error");
    }).finally(done);
    return () => controller.abort();
  });
}

function echo() {
  const connect = /** @type {HTMLButtonElement} */ ($("echo-connect"));
  const status = $("echo-status");
  const form = /** @type {HTMLFormElement} */ ($("echo-form"));
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem("message"));
  const send = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
  const log = $("echo-log");
  /** @type {WebSocket | null} */
  let socket = null;
  /** @param {"live" | "reconnecting" | "off"} state @param {string} text */
  const setStatus = (state, text) => {
    status.dataset.status = state;
    status.textContent = text;
    const open = state === "live";
    input.disabled = !open;
    send.disabled = !open;
    connect.textContent = open || state === "reconnecting" ? "Disconnect" : "Connect";
  };
  connect.addEventListener("click", () => {
    if (socket) {
      socket.close(1000, "Bye");
      return;
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/_/ws/echo`);
    socket = ws;
    setStatus("reconnecting", "Connecting…");
    ws.addEventListener("open", () => {
      setStatus("live", "Connected");
      input.select();
    });
    ws.addEventListener("message", (event) => logLine(log, String(event.data), "received"));
    ws.addEventListener("close", (event) => {
      socket = null;
      setStatus(
        "off",
        event.code === 1000 || event.code === 1005
          ? "Disconnected"
          : `Closed (${event.code}${event.reason ? `: ${event.reason}` : ""})`,
      );
    });
  });
  // Leaving the page (even into the back/forward cache) closes the socket.
  addEventListener("pagehide", () => socket?.close(1000, "Bye"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!socket || socket.readyState !== WebSocket.OPEN || input.value === "") return;
    socket.send(input.value);
    logLine(log, input.value, "sent");
    input.select();
  });
}

/**
 * A form that sends one request and shows the answer as JSON.
 * @param {string} formId
 * @param {string} resultId
 * @param {(values: FormData) => Promise<Response>} call
 */
function unary(formId, resultId, call) {
  const form = /** @type {HTMLFormElement} */ ($(formId));
  const result = $(resultId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "…";
    try {
      const res = await call(new FormData(form));
      const text = await res.text();
      try {
        result.textContent = `${res.status}\n${JSON.stringify(JSON.parse(text), null, 2)}`;
      } catch {
        result.textContent = `${res.status}\n${text}`;
      }
    } catch (error) {
      result.textContent = String(error);
    }
  });
}

countdown();
tokens();
progress();
echo();
unary(
  "stat-form",
  "stat-result",
  (values) =>
    fetch(plainUrl(`/_/api/stat?${query(values, ["path"])}`), {
      headers: { accept: "application/json" },
    }),
);
unary("collect-form", "collect-result", (values) =>
  fetch(plainUrl("/_/api/collect"), {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", accept: "application/json" },
    body: String(values.get("lines") ?? "").trim() + "\n",
  }));
