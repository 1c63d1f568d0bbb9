// Runs a Node script as a child process, as npm run would, and returns what it printed. Tests of
// the kit's commands run several at once this way (spawnSync would hold up the others).
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";

export type Ran = { status: number | null; stdout: string; stderr: string };

/** `within` is a command that runs the rest of its arguments, such as NO_NETWORK. */
export async function runNode(script: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; within?: string[] }): Promise<Ran> {
  const [command, ...rest] = [...(options.within ?? []), process.execPath, script, ...args];
  const child = spawn(command, rest, options);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const [status] = (await once(child, "close")) as [number | null];
  return { status, stdout, stderr };
}

/**
 * Runs a command with no network but loopback: a network namespace of its own, which Linux lets
 * most users make (unshare --map-root-user; Debian allows it, a container or a chroot does not).
 * What it runs can reach 127.0.0.1 and nothing else.
 */
export const NO_NETWORK = ["unshare", "--map-root-user", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "no-network"];

/** Why NO_NETWORK cannot run here (not Linux, no unshare or ip, no user namespaces), or undefined. */
export function noNetworkSkipReason(): string | undefined {
  const tried = spawnSync(NO_NETWORK[0], [...NO_NETWORK.slice(1), "true"], { encoding: "utf8" });
  if (tried.status === 0) return undefined;
  const reason = `cannot run without a network here (unshare --map-root-user --net: ${(tried.error?.message ?? tried.stderr).trim()})`;
  // CI runs on Linux with both: there, a skip would hide a broken promise.
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: not skipping.)`);
  return reason;
}
