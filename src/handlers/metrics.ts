import type { Handler } from "../context.ts";
import type { StoreStatus } from "../state/state_store.ts";
import { formatPrometheus, type MetricFamily, PROMETHEUS_TYPE } from "../http/prometheus_text.ts";

/**
 * `GET /_/metrics`: Prometheus text with requests by method and status,
 * bytes sent and received, open streams by kind and upload failures by
 * reason.
 */
export const serveMetrics: Handler = (_request, ctx) => {
  const m = ctx.metrics;
  const families: MetricFamily[] = [
    {
      name: "sluice_requests_total",
      help: "Requests answered, by method and status.",
      type: "counter",
      samples: [...m.requests].map(([key, value]) => {
        const [method, status] = key.split(" ");
        return { labels: { method, status }, value };
      }),
    },
    {
      name: "sluice_sent_bytes_total",
      help: "Response bytes with a known Content-Length.",
      type: "counter",
      samples: [{ value: m.bytesSent }],
    },
    {
      name: "sluice_received_bytes_total",
      help: "Upload bytes read from request bodies.",
      type: "counter",
      samples: [{ value: m.bytesReceived }],
    },
    {
      name: "sluice_open_streams",
      help: "Long-lived responses and uploads in progress, by kind.",
      type: "gauge",
      samples: Object.entries(ctx.state.openStreams()).map(([kind, value]) => ({
        labels: { kind },
        value,
      })),
    },
    {
      name: "sluice_upload_failures_total",
      help: "Uploads that failed and were rolled back, by reason.",
      type: "counter",
      samples: [...m.uploadFailures].map(([reason, value]) => ({ labels: { reason }, value })),
    },
    {
      name: "sluice_uploads_expired_total",
      help: "Resumable uploads abandoned past --upload-expiry and removed.",
      type: "counter",
      samples: [{ value: m.uploadsExpired }],
    },
    {
      name: "sluice_chat_failures_total",
      help: "Relayed language-model answers that ended with an error event, by reason.",
      type: "counter",
      samples: [...m.chatFailures].map(([reason, value]) => ({ labels: { reason }, value })),
    },
    ...storeFamilies(ctx.stateStore?.status() ?? null),
    {
      name: "sluice_uptime_seconds",
      help: "Seconds since the server started.",
      type: "gauge",
      samples: [{ value: Math.round((Date.now() - ctx.state.startedAt) / 1000) }],
    },
  ];
  return new Response(formatPrometheus(families), {
    headers: { "content-type": PROMETHEUS_TYPE, "cache-control": "no-store" },
  });
};

/** The state store's health as metric families (none without a store). */
function storeFamilies(status: StoreStatus | null): MetricFamily[] {
  if (status === null) return [];
  const labels = { backend: status.backend };
  return [
    {
      name: "sluice_state_store_up",
      help: "1 when the state store is reachable, 0 while it is degraded.",
      type: "gauge",
      samples: [{ labels, value: status.state === "ok" ? 1 : 0 }],
    },
    {
      name: "sluice_state_store_latency_seconds",
      help: "Latency of the state store's last round trip (PING or transaction).",
      type: "gauge",
      samples: status.latencyMs === null ? [] : [{ labels, value: status.latencyMs / 1000 }],
    },
    {
      name: "sluice_state_store_round_trips_total",
      help: "Commands sent to the state store.",
      type: "counter",
      samples: [{ labels, value: status.roundTrips }],
    },
  ];
}
