// A WebSocket made by hand over TCP, so that it can vanish as a laptop lid makes it vanish:
// without a close frame. Used by the checks and by the kit's tests against wrangler dev.
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** How a connection made by hand ends: a TCP FIN or RST without a close frame, or a frame the protocol forbids. */
export type Ending = "fin" | "rst" | "bad frame";

/**
 * Opens `path` on `origin` with a WebSocket handshake over a raw TCP connection. Returns how to
 * end it rudely, or the status line the server answered instead of 101.
 */
export async function rawWebSocket(origin: string, path: string): Promise<{ end: (how: Ending) => void } | string> {
  const { hostname, port } = new URL(origin);
  const socket: Socket = connect(Number(port), hostname);
  socket.on("error", () => {});
  await once(socket, "connect");
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const [head] = (await Promise.race([once(socket, "data"), sleep(3000, [Buffer.from("no answer within 3 s")])])) as [Buffer];
  const status = head.toString("latin1").split("\r\n")[0];
  if (!status.startsWith("HTTP/1.1 101")) {
    socket.destroy();
    return status;
  }
  socket.on("data", () => {}); // Frames keep coming; nobody reads them.
  return {
    end(how) {
      if (how === "fin") socket.end();
      else if (how === "rst") socket.resetAndDestroy();
      // A masked, empty frame with opcode 3, which no WebSocket may send.
      else socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
    },
  };
}
