// Runs a Node script as a child process, as npm run would, and returns what it printed. Tests of
// the kit's commands run several at once this way (spawnSync would hold up the others).
import { spawn } from "node:child_process";
import { once } from "node:events";

export type Ran = { status: number | null; stdout: string; stderr: string };

export async function runNode(script: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  const child = spawn(process.execPath, [script, ...args], options);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const [status] = (await once(child, "close")) as [number | null];
  return { status, stdout, stderr };
}
