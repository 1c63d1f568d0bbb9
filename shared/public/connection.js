// A WebSocket that comes back. After the server goes away it retries with exponential
// backoff and jitter (so a room full of laptops does not knock all at the same instant),
// and reports its status: connecting, connected, reconnecting or offline.
//
// On every connection it first collects the messages that arrive until the "sync probe"
// is answered and hands them over as one batch (history.js decides which are new):
// it sends an empty message, which every stage refuses with an error frame to this
// socket only. The server handles a socket's frames in order and sends the history
// before it reads any of them, so when that answer arrives, everything before it was
// the history plus messages that were live meanwhile, and nothing after it is history.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
/** A connection that lasted this long was a real one: start the backoff afresh. */
const STABLE_MS = 5_000;
/** A server that never answers the probe (a stage in progress) still gets its history shown. */
const PROBE_TIMEOUT_MS = 3_000;
const PROBE = JSON.stringify({ message: "" });

/**
 * How long to wait before retry number `attempt` (0, 1, 2, …): the backoff doubles from
 * 0.5 s up to 10 s, and "equal jitter" picks a time in its upper half, so retries spread
 * out across a room of laptops but still back off.
 */
export function retryDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Opens `url` and keeps it open. onStatus(status, failures) with the number of attempts in
 * a row that could not connect, onBatch(messageFrames) once per connection, onFrame(frame)
 * for everything else.
 */
export function openConnection({ url, onStatus, onBatch, onFrame }) {
  let socket;
  let attempt = 0;
  let failures = 0;
  let retryTimer;
  let stopped = false;
  let connectedOnce = false;

  const setStatus = (status) => onStatus(status, failures);

  function open() {
    clearTimeout(retryTimer);
    setStatus(!navigator.onLine ? "offline" : connectedOnce ? "reconnecting" : "connecting");
    const ws = new WebSocket(url);
    socket = ws;
    let openedAt = 0;
    let batch = [];
    let syncing = true;
    let probePending = false;
    let probeTimer;

    const finishSync = () => {
      if (!syncing) return;
      syncing = false;
      clearTimeout(probeTimer);
      onBatch(batch);
      batch = [];
    };

    ws.addEventListener("open", () => {
      openedAt = Date.now();
      connectedOnce = true;
      failures = 0;
      ws.send(PROBE);
      probePending = true;
      probeTimer = setTimeout(finishSync, PROBE_TIMEOUT_MS);
      setStatus("connected");
    });
    ws.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // Not JSON: not a frame of this protocol, nothing to show.
      }
      if (typeof frame !== "object" || frame === null) return;
      if (probePending && frame.type === "error" && frame.code === "bad_message") {
        probePending = false;
        finishSync();
      } else if (syncing && frame.type === "message") {
        batch.push(frame);
      } else {
        onFrame(frame);
      }
    });
    ws.addEventListener("close", () => {
      clearTimeout(probeTimer);
      if (batch.length > 0) finishSync();
      if (socket !== ws || stopped) return;
      socket = undefined;
      if (!openedAt) failures++;
      if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
      scheduleRetry();
    });
  }

  function scheduleRetry() {
    const delay = retryDelay(attempt++);
    // Keep trying even when the browser says it is offline: a server on localhost is
    // still reachable with the Wi-Fi switched off.
    setStatus(navigator.onLine ? "reconnecting" : "offline");
    retryTimer = setTimeout(open, delay);
  }

  function retryNow() {
    if (stopped || socket) return;
    open();
  }

  const onOnline = () => retryNow();
  const onOffline = () => {
    if (!socket) setStatus("offline");
  };
  const onVisible = () => {
    if (document.visibilityState === "visible") retryNow();
  };
  addEventListener("online", onOnline);
  addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", onVisible);

  open();

  return {
    retryNow,
    /** Sends a chat message; false when there is no open socket to send it on. */
    send(text) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify({ message: text }));
      return true;
    },
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      removeEventListener("online", onOnline);
      removeEventListener("offline", onOffline);
      document.removeEventListener("visibilitychange", onVisible);
      const ws = socket;
      socket = undefined;
      ws?.close(1000, "Left the room");
      setStatus("offline");
    },
  };
}
