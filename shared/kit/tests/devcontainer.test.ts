// The dev container (.devcontainer/devcontainer.json), for a laptop that cannot run the kit as it
// is: it parses, installs the kit, and forwards the ports the kit's servers really use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { REPO_ROOT } from "../paths.ts";

type DevContainer = {
  image?: string;
  postCreateCommand?: string | string[] | Record<string, string | string[]>;
  forwardPorts?: (number | string)[];
};

function read(path: string): string {
  return readFileSync(join(REPO_ROOT, path), "utf8");
}

/** The `const DEFAULT_PORT = …;` of one of the kit's commands: the port it serves on without --port. */
function defaultPort(path: string): number {
  const found = read(path).match(/^const DEFAULT_PORT = (\d+);$/m);
  assert.ok(found, `${path} has no "const DEFAULT_PORT = <number>;" line`);
  return Number(found[1]);
}

function devContainer(): DevContainer {
  const errors: ParseError[] = [];
  const config = parse(read(".devcontainer/devcontainer.json"), errors, { allowTrailingComma: false });
  assert.deepEqual(
    errors.map((error) => `${printParseErrorCode(error.error)} at offset ${error.offset}`),
    [],
    ".devcontainer/devcontainer.json is not valid JSONC",
  );
  return config as DevContainer;
}

describe("the dev container", () => {
  test("forwards the chat's, the classroom's and the guide's default ports", () => {
    const ports = devContainer().forwardPorts ?? [];
    const chat = defaultPort("shared/kit/serve.ts");
    const classroom = defaultPort("shared/kit/classroom/serve.ts");
    assert.equal(chat, 8787);
    assert.equal(classroom, 8790);
    assert.ok(ports.includes(chat), `forwardPorts ${JSON.stringify(ports)} lacks the chat's port ${chat} (shared/kit/serve.ts)`);
    assert.ok(ports.includes(classroom), `forwardPorts ${JSON.stringify(ports)} lacks the classroom's port ${classroom} (shared/kit/classroom/serve.ts)`);
    // npm run docs is VitePress's dev server, on its default port, as the command reference says.
    assert.match(read("docs/reference/commands.md"), /http:\/\/localhost:5173\//);
    assert.ok(ports.includes(5173), `forwardPorts ${JSON.stringify(ports)} lacks the guide's port 5173 (npm run docs)`);
  });

  test("installs the kit when it is created", () => {
    const command = devContainer().postCreateCommand;
    const commands = typeof command === "object" && !Array.isArray(command) ? Object.values(command) : [command];
    const runsInstall = commands.some((one) =>
      Array.isArray(one) ? one[0] === "npm" && (one[1] === "install" || one[1] === "i") : typeof one === "string" && /^npm (install|i)\b/.test(one.trim()),
    );
    assert.ok(runsInstall, `postCreateCommand ${JSON.stringify(command)} does not run npm install`);
  });

  test("uses a glibc-based Debian image with Node 22 or newer (workerd needs glibc 2.35)", () => {
    const image = devContainer().image ?? "";
    const found = image.match(/:(?:\d+-)?(\d+)-(bookworm|trixie)$/);
    assert.ok(found, `image ${JSON.stringify(image)} is not tagged <node major>-bookworm or -trixie`);
    assert.ok(Number(found[1]) >= 22, `image ${image}: Node ${found[1]} is older than 22`);
  });

  test("the guide says how to use it", () => {
    const setup = read("docs/setup.md");
    assert.match(setup, /^## A laptop that cannot be fixed: the dev container$/m);
    assert.match(setup, /\.devcontainer\/devcontainer\.json/);
  });
});
