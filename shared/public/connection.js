// A WebSocket that comes back. After the server goes away it retries with exponential
// backoff and jitter (so a room full of laptops does not knock all at the same instant),
// and reports its status: connecting, connected, reconnecting or offline. While connected it
// sends "ping" now and then, which the server's runtime answers with "pong": a connection
// that stays silent after a ping is dead (a laptop that slept, a new Wi-Fi), even if the
// browser has not noticed yet, and is replaced by a new one.

// The connection's timings, all here. Exported for the browser tests, which move Playwright's
// clock past them rather than wait.
export const FIRST_DELAY_MS = 500;
export const MAX_DELAY_MS = 10_000;
/** A connection that lasted this long was a real one: start the backoff afresh. */
export const STABLE_MS = 5_000;
/** How often an open connection says "ping": often enough that proxies keep an idle one open. */
export const PING_INTERVAL_MS = 30_000;
/** No frame at all (a "pong" or anything else) this long after a ping: the connection is dead. */
export const PONG_TIMEOUT_MS = 10_000;

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
 * attempt (where to resume changes as messages arrive). `url()` may return a promise (stage 09:
 * a protected room's address holds a ticket, bought first); one that rejects counts as an attempt
 * that could not connect. onStatus(status, failures) with the number of attempts in a row that
 * could not connect, onFrame(frame) for every frame, onClose(event) when the server or the
 * network closed the connection. Calling close() from onClose (or while `url()` is pending) ends
 * it there: no retry follows.
 */
export function openConnection({ url, onStatus, onFrame, onClose }) {
  let socket;
  let attempt = 0;
  let failures = 0;
  let retryTimer;
  let stopped = false;
  /** While `url()` is pending: no second attempt may start meanwhile. */
  let opening = false;
  let connectedOnce = false;
  /** When the current socket opened (0: not yet). */
  let openedAt = 0;
  /** While connected: the ping every PING_INTERVAL_MS, and after one, the deadline for any frame. */
  let pingTimer;
  let pongTimer;

  const setStatus = (status) => onStatus(status, failures);

  async function open() {
    clearTimeout(retryTimer);
    setStatus(!navigator.onLine ? "offline" : connectedOnce ? "reconnecting" : "connecting");
    opening = true;
    let address;
    try {
      address = await url();
    } catch {
      address = undefined;
    }
    opening = false;
    if (stopped) return;
    if (address === undefined) {
      failures++;
      scheduleRetry();
      return;
    }
    const ws = new WebSocket(address);
    socket = ws;
    openedAt = 0;

    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      openedAt = Date.now();
      connectedOnce = true;
      failures = 0;
      setStatus("connected");
      pingTimer = setInterval(ping, PING_INTERVAL_MS);
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      // Any frame shows the connection is alive, the runtime's "pong" too (the only one that is not JSON).
      clearTimeout(pongTimer);
      pongTimer = undefined;
      if (event.data === "pong") return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // Not JSON: not a frame of this protocol, nothing to show.
      }
      if (typeof frame === "object" && frame !== null) onFrame(frame);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      onClose?.(event);
      // onClose may have ended the connection (stage 09: a deleted room): then no retry.
      if (stopped) return;
      lost();
    });
  }

  /** Says "ping" on the open socket: if nothing at all comes back in time, the connection is dead. */
  function ping() {
    const ws = socket;
    if (ws?.readyState !== WebSocket.OPEN) return;
    ws.send("ping");
    pongTimer ??= setTimeout(() => {
      // Retry at once, without waiting for the close event: on a dead connection the browser
      // may wait a minute for the closing handshake. Events of that socket no longer count.
      lost();
      ws.close();
    }, PONG_TIMEOUT_MS);
  }

  /** Done with the current socket: its timers stop, its frames and close event no longer count. */
  function forget() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    pingTimer = pongTimer = undefined;
    socket = undefined;
  }

  /** The current socket closed, or went silent: try again. */
  function lost() {
    forget();
    if (!openedAt) failures++;
    if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
    scheduleRetry();
  }

  function scheduleRetry() {
    if (stopped) return;
    const delay = retryDelay(attempt++);
    // Keep trying even when the browser says it is offline: a server on localhost is
    // still reachable with the Wi-Fi switched off.
    setStatus(navigator.onLine ? "reconnecting" : "offline");
    retryTimer = setTimeout(open, delay);
  }

  function retryNow() {
    if (stopped || socket || opening) return;
    open();
  }

  // Back online, or back in front of the reader (perhaps after a sleep): reconnect now, or,
  // when connected, check at once that the connection survived.
  const wake = () => (socket ? ping() : retryNow());
  const onOffline = () => {
    if (!socket) setStatus("offline");
  };
  const onVisible = () => {
    if (document.visibilityState === "visible") wake();
  };
  addEventListener("online", wake);
  addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", onVisible);

  open();

  return {
    retryNow,
    /**
     * Sends a chat message, to the whole room or (stage 07) to the person `to` alone; false when
     * there is no open socket to send it on.
     */
    send(text, to) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      // JSON leaves out a `to` that is undefined: a message for everyone is {"message": …} alone.
      socket.send(JSON.stringify({ message: text, to }));
      return true;
    },
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      removeEventListener("online", wake);
      removeEventListener("offline", onOffline);
      document.removeEventListener("visibilitychange", onVisible);
      const ws = socket;
      forget();
      ws?.close(1000, "Left the room");
      setStatus("offline");
    },
  };
}
