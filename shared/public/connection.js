// A WebSocket that comes back. After the server goes away it retries with exponential
// backoff and jitter (so a room full of laptops does not knock all at the same instant),
// and reports its status: connecting, connected, reconnecting or offline.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
/** A connection that lasted this long was a real one: start the backoff afresh. */
const STABLE_MS = 5_000;

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
 * Opens the address that `url()` returns and keeps it open, asking `url()` again on every
 * attempt (where to resume changes as messages arrive). onStatus(status, failures) with the
 * number of attempts in a row that could not connect, onFrame(frame) for every frame.
 */
export function openConnection({ url, onStatus, onFrame }) {
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
    const ws = new WebSocket(url());
    socket = ws;
    let openedAt = 0;

    ws.addEventListener("open", () => {
      openedAt = Date.now();
      connectedOnce = true;
      failures = 0;
      setStatus("connected");
    });
    ws.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // Not JSON: not a frame of this protocol, nothing to show.
      }
      if (typeof frame === "object" && frame !== null) onFrame(frame);
    });
    ws.addEventListener("close", () => {
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
