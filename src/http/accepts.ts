/** Whether the client prefers JSON (an `Accept` naming `application/json`). */
export function acceptsJson(request: { headers: Headers }): boolean {
  return (request.headers.get("accept") ?? "").includes("application/json");
}
