import { formatReport } from '@ledger/read-models';
import { readAuditConfig } from '../audit.config';
import { formatAudit, verifyWithAudit } from '../audit.verifier';
import { verifyExportFile, type ExportVerifyReport } from '../export/export.verifier';
import { option, runAuditCli } from './audit.cli';

/**
 * `npm run ledger:verify [-- --json] [-- --log-only]`: the ledger, the read
 * models, every hash chain and every checkpoint of the running store.
 * `npm run ledger:verify -- --file <export> [--public-key <base64>]`: an
 * export alone, with no database. Exit 0 clean, 1 findings, 2 could not run.
 */
async function main(
  runtime: Parameters<Parameters<typeof runAuditCli>[0]>[0],
  args: readonly string[],
): Promise<number> {
  const json = args.includes('--json');
  const file = option(args, 'file');
  if (file) {
    const report = await verifyExportFile(file, option(args, 'public-key'));
    console.log(json ? JSON.stringify(report, null, 2) : formatExportReport(report));
    return report.clean ? 0 : 1;
  }
  const { signingKey } = readAuditConfig(process.env);
  const report = await verifyWithAudit(runtime!.db, runtime!.store, signingKey.publicKey, {
    compareReadModels: !args.includes('--log-only'),
  });
  console.log(
    json
      ? JSON.stringify(report, null, 2)
      : `${formatReport(report.ledger)}\n${formatAudit(report.audit)}`,
  );
  return report.clean ? 0 : 1;
}

function formatExportReport(report: ExportVerifyReport): string {
  return [
    `export verify: ${report.clean ? 'CLEAN' : 'FINDINGS'} (${report.from} to ${report.head})`,
    report.keyFromExport
      ? '  public key       taken from the export itself: pass --public-key to check its origin'
      : '  public key       as given',
    formatAudit(report.audit),
    `ledger findings    ${report.ledgerFindingCount}`,
    ...report.ledgerFindings.map((d) => `    ${d.kind} ${d.subject} ${d.actual ?? ''}`),
    ...report.totals.map(
      (t) => `  ${t.currency}  debits ${t.debitsMinor}  credits ${t.creditsMinor}`,
    ),
    `trial balance      ${report.trialBalanceMatches === undefined ? 'not in the export' : report.trialBalanceMatches ? 'matches the read models' : 'DIFFERS from the read models'}`,
  ].join('\n');
}

void runAuditCli(main, (args) => option(args, 'file') === undefined);
