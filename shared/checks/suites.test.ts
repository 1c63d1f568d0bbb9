// The suites of the folders this runtime checks, in one file: a describe block per folder, and
// in it a block per suite file, named by its path. Vitest gives every file that runs beside
// another its own runtime, and starting workerd costs more than most suites take; in one file,
// the folders' checks share one start. Folders take turns: a check may stop the clock, which
// every folder in the runtime shares.
import { beforeAll, describe } from "vitest";
import { declaring } from "./helpers/check.ts";
import { checking, targets, within } from "./helpers/target.ts";

for (const target of targets()) {
  describe(target.folder, () => {
    beforeAll(() => checking(target));
    for (const file of target.suites) {
      describe(file, async () => {
        checking(target);
        declaring.bind = (body) => () => within(target, body);
        declaring.folder = target.folder;
        // A query makes it another module, so the file declares its checks again for this folder.
        await import(/* @vite-ignore */ `/${file}?target=${target.index}`);
      });
    }
  });
}
