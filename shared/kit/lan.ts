// The addresses other devices on the same network (a phone on the workshop Wi-Fi) can reach.
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/** http://<address>:<port>/ for every external IPv4 address, the kind a phone can type or scan. */
export function lanUrls(port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const addresses = Object.values(interfaces)
    .flat()
    .filter((info) => info !== undefined && info.family === "IPv4" && !info.internal)
    .map((info) => info!.address);
  return [...new Set(addresses)].map((address) => `http://${address}:${port}/`);
}
