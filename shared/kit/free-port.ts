// Local TCP ports: is one free, and which one is.
import { createServer, type AddressInfo } from "node:net";

const HOST = "127.0.0.1";

/** Whether a server could listen on 127.0.0.1:port right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port that is free now, chosen by the operating system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The first free port after `port` (easy to type), or any free port. */
export async function freePortNear(port: number): Promise<number> {
  for (let candidate = port + 1; candidate <= Math.min(port + 20, 65535); candidate++) {
    if (await isPortFree(candidate)) return candidate;
  }
  return freePort();
}
