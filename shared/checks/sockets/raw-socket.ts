// A WebSocket made by hand over TCP, so that it can vanish as a laptop lid makes it vanish:
// without a close frame. Used by the checks and by the kit's tests against wrangler dev.
// It also reads the server's close frame itself: Node's WebSocket reports a close only once the
// TCP connection ends, which after a server's close frame can take ten seconds more.
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** How a connection made by hand ends: a TCP FIN or RST without a close frame, or a frame the protocol forbids. */
export type Ending = "fin" | "rst" | "bad frame";

/** The code and reason of a close frame the server sent. */
export type CloseFrame = { code: number; reason: string };

export type RawWebSocket = {
  end: (how: Ending) => void;
  /** Sends a text frame. The connection reads nothing back: a close frame from the server goes unanswered. */
  send: (text: string) => void;
  /** The server's close frame, as soon as it arrives, or undefined if none came within `ms`. */
  closeFrame: (ms: number) => Promise<CloseFrame | undefined>;
};

/**
 * Opens `path` on `origin` with a WebSocket handshake over a raw TCP connection. Returns how to
 * end it rudely and how to read the server's close frame, or the status line the server
 * answered instead of 101.
 */
export async function rawWebSocket(origin: string, path: string): Promise<RawWebSocket | string> {
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
  // Frames may follow the handshake in the same packet: what comes after its blank line is theirs.
  const end = head.indexOf("\r\n\r\n");
  let received = end < 0 ? Buffer.alloc(0) : head.subarray(end + 4);
  let closed: CloseFrame | undefined;
  let arrived = () => {};
  socket.on("data", (data: Buffer) => {
    received = Buffer.concat([received, data]);
    closed ??= readCloseFrame(received);
    if (closed) arrived();
  });
  closed = readCloseFrame(received);
  return {
    end(how) {
      if (how === "fin") socket.end();
      else if (how === "rst") socket.resetAndDestroy();
      // A masked, empty frame with opcode 3, which no WebSocket may send.
      else socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
    },
    send(text) {
      // A client's frame is masked (RFC 6455, 5.3), here with a key of zeros: the bytes stay as they are.
      const payload = Buffer.from(text);
      const n = payload.length;
      const length = n < 126 ? [0x80 | n] : n < 65_536 ? [0x80 | 126, n >> 8, n & 0xff] : [0x80 | 127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
      socket.write(Buffer.concat([Buffer.from([0x81, ...length, 0, 0, 0, 0]), payload]));
    },
    async closeFrame(ms) {
      if (!closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          arrived = () => (clearTimeout(timer), resolve());
        });
      }
      return closed;
    },
  };
}

/** The first close frame in `data`, the frames the server sent (unmasked), if it has arrived whole. */
function readCloseFrame(data: Buffer): CloseFrame | undefined {
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = data[at] & 0x0f;
    let length = data[at + 1] & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (start + 2 > data.length) return undefined;
      length = data.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > data.length) return undefined;
      length = Number(data.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > data.length) return undefined;
    if (opcode === 0x8) {
      const payload = data.subarray(start, start + length);
      // A close frame without a payload means "no code" (1005).
      return payload.length < 2 ? { code: 1005, reason: "" } : { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString("utf8") };
    }
    at = start + length;
  }
  return undefined;
}
