import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parsePosition, START } from '@ledger/event-store';
import { readAuditConfig } from '../audit.config';
import { exportLines } from '../export/ledger.export';
import { option, runAuditCli } from './audit.cli';

/**
 * `npm run ledger:export -- [--from <position>] [--out <file>]`: the log as
 * NDJSON with its checkpoints, streamed page by page (default file
 * ledger-export.ndjson). Exit 0 written, 2 could not run.
 */
void runAuditCli(
  async (runtime, args) => {
    const fromText = option(args, 'from');
    const from = fromText === undefined ? START : parsePosition(fromText);
    if (!from) {
      console.error(`--from must be a position such as 1234.5678, got "${fromText}"`);
      return 2;
    }
    const path = option(args, 'out') ?? 'ledger-export.ndjson';
    const out = createWriteStream(path, { flags: 'wx' });
    const { signingKey } = readAuditConfig(process.env);
    let bytes = 0;
    for await (const chunk of exportLines(runtime!.db, runtime!.store, signingKey, from)) {
      bytes += chunk.length;
      // Backpressure: a slow disk holds the reader back instead of filling memory.
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    console.error(`ledger export: ${path}, ${bytes} bytes`);
    return 0;
  },
  () => true,
);
