// Every target's checks over real connections, in one file and one thread, a few targets at a
// time: each target's Worker is served while its suites run (target.ts). A suite file is
// imported once per target, and each of its checks is bound to that target when declared.
import { afterAll, beforeAll, describe, inject } from "vitest";
import { declaring } from "../helpers/check.ts";
import { cleanUp, start, within, type Served } from "./target.ts";

/**
 * Targets served and checked at once. Each batch is a concurrent block, so its targets' checks
 * run side by side (most of a check is waiting for frames); batches run one after another.
 */
const AT_ONCE = 4;

const targets = inject("targets");
afterAll(cleanUp);
for (let first = 0; first < targets.length; first += AT_ONCE) {
  describe.concurrent(`targets ${first + 1}-${Math.min(first + AT_ONCE, targets.length)}`, () => {
    for (const target of targets.slice(first, first + AT_ONCE)) {
      describe.concurrent(target.folder, () => {
        let served: Served & { stop: () => Promise<void> };
        beforeAll(async () => {
          served = await start(target);
        });
        afterAll(() => served.stop());
        for (const file of target.suites) {
          describe(file, async () => {
            declaring.bind = (body) => () => within(served, body);
            declaring.folder = target.folder;
            // A query makes it another module, so the file declares its checks again for this target.
            await import(/* @vite-ignore */ `/${file}?target=${encodeURIComponent(target.folder)}`);
          });
        }
      });
    }
  });
}
