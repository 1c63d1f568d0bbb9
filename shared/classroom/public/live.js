// The dashboard's WebSocket: a snapshot, then one frame per change (pushed: the page never polls).
// Reconnects with backoff when the socket closes; pings every 30 s so idle networks keep it open
// (the runtime answers "pong" without waking the session). When a socket fails before it opened,
// one GET of the snapshot says why: a missing or wrong key and an unknown session are final.

const PING_MS = 30_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Opens /api/sessions/<code>/live and keeps it open. The key goes as a subprotocol ("key.<key>"):
 * a browser cannot set headers on a socket, and an address would leave the key in logs.
 * onFrame(frame): a "snapshot" or "attendee" frame. onStatus(state): "connecting", "live" or
 * "reconnecting". onFatal(reason): "no-key", "wrong-key" or "no-session"; nothing follows it.
 */
export function connectLive({ code, key, onFrame, onStatus, onFatal }) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const path = `/api/sessions/${encodeURIComponent(code)}`;
  const url = `${scheme}//${location.host}${path}/live`;
  let socket;
  let failures = 0;
  let stopped = false;

  const open = () => {
    const opening = new WebSocket(url, key ? ["classroom", `key.${key}`] : []);
    socket = opening;
    let opened = false;
    opening.addEventListener("open", () => (opened = true));
    opening.addEventListener("message", (event) => {
      if (typeof event.data !== "string" || event.data === "pong") return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame?.type === "snapshot") {
        failures = 0;
        onStatus("live");
      }
      if (frame?.type === "snapshot" || frame?.type === "attendee") onFrame(frame);
    });
    opening.addEventListener("close", async () => {
      if (stopped || socket !== opening) return;
      onStatus("reconnecting");
      if (!opened) {
        const reason = await whyRefused(path, key);
        if (reason) {
          stopped = true;
          onFatal(reason);
          return;
        }
      }
      // 1 s, 2 s, 4 s … 30 s, each ±25% so a room of dashboards does not come back at once.
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures) * (0.75 + Math.random() / 2);
      failures += 1;
      setTimeout(open, delay);
    });
  };

  onStatus("connecting");
  open();
  setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN) socket.send("ping");
  }, PING_MS);
}

/** Why the server refuses the dashboard, or undefined when it does not (or cannot be reached). */
async function whyRefused(snapshotPath, key) {
  try {
    const response = await fetch(snapshotPath, { cache: "no-store", headers: { Authorization: `Bearer ${key}` } });
    if (response.status === 401) return "no-key";
    if (response.status === 403) return "wrong-key";
    if (response.status === 404) return "no-session";
  } catch {
    // Offline or the classroom is stopped: keep trying.
  }
  return undefined;
}
