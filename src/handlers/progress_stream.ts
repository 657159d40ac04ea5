import type { Handler } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import { intParam } from "../http/query_params.ts";
import { openStream } from "../stream_slots.ts";
import { NdjsonEncoderStream } from "../streams/ndjson_encoder_stream.ts";
import { pacedStream } from "../streams/paced_stream.ts";
import { streamResponse } from "./stream_response.ts";

/** One step of the simulated job. */
export type ProgressStep =
  | { step: number; total: number; message: string }
  | { done: true; total: number; content: string };

/** The steps of a `steps`-file job that ends by returning `message`. */
export function* progressSteps(message: string, steps: number): Generator<ProgressStep> {
  for (let step = 1; step <= steps; step++) {
    yield { step, total: steps, message: `Processing file ${step}/${steps}...` };
  }
  yield { done: true, total: steps, content: message };
}

/** The plain-text line of a step. */
export function progressLine(step: ProgressStep): string {
  return "step" in step ? `${step.message}\n` : `Here's the file content: ${step.content}\n`;
}

/**
 * `GET /_/stream?message=hello&steps=3&interval=1000`: chunked progress.
 * `Processing file 1/3...` … then `Here's the file content: hello`, one
 * line per chunk, each sent the moment it is produced. With
 * `Accept: application/x-ndjson` the same steps come as NDJSON objects.
 */
export const progressStream: Handler = (request, ctx) => {
  const params = ctx.url.searchParams;
  const message = params.get("message") ?? "hello";
  if (message.length > 4096) throw new HttpError(400, "Parameter message is too long");
  const steps = intParam(params, "steps", 3, 0, 1000);
  const interval = intParam(params, "interval", 1000, 0, 60_000);
  const ndjson = (request.headers.get("accept") ?? "").includes("application/x-ndjson");
  const release = openStream(ctx, "progress");
  const source = pacedStream(progressSteps(message, steps), interval);
  const encoder = new TextEncoder();
  const body = ndjson ? source.pipeThrough(new NdjsonEncoderStream()) : source.pipeThrough(
    new TransformStream<ProgressStep, Uint8Array>({
      transform: (step, controller) => controller.enqueue(encoder.encode(progressLine(step))),
    }),
  );
  return streamResponse(request, body, release, {
    headers: {
      "content-type": ndjson ? "application/x-ndjson" : "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    },
  });
};
