// `npm install` rewrites package-lock.json when its entry for the kit itself no longer says what
// package.json says: a newcomer's clone then shows a change they never made, and their next
// `git pull` of the kit stops on it ("Your local changes … would be overwritten").
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../paths.ts";

const read = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), "utf8"));

test("package-lock.json's entry for the kit says what package.json says, so npm install leaves it as committed", () => {
  const manifest = read("package.json");
  const root = read("package-lock.json").packages[""];
  // The fields npm copies from package.json into that entry.
  for (const field of ["name", "version", "license", "bin", "engines", "dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
    assert.deepEqual(root[field], manifest[field], `package-lock.json's packages[""].${field}: run npm install and commit package-lock.json`);
  }
});
