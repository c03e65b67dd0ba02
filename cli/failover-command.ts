/**
 * `kgw failover` and `kgw failback`: move consumer groups between the clusters of an active-active
 * mirror, through the mirror's MM2 checkpoints (docs/mirror.md, "Failover and failback").
 *
 * Like kafka-consumer-groups.sh --reset-offsets, a run prints its plan and commits nothing unless
 * --execute is given (--dry-run says so explicitly); the plan is a table on a terminal, or one JSON
 * document with --json. Progress goes to stderr, so stdout stays the report.
 */
import type { Command } from 'commander';
import { runFailover } from '../mirror/failover/failover.js';
import { exitCode, renderJson, renderText, type Action } from '../mirror/failover/render.js';

interface FailoverFlags {
  group: string;
  from: string;
  to: string;
  config?: string;
  bootstrap: string[];
  execute?: boolean;
  dryRun?: boolean;
  json?: boolean;
  maxScan: string;
  replicationPolicy?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function progressPrinter(): { line: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    line(text) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 100) - 1)}`);
        shown = true;
      } else process.stderr.write(`[kgw] ${text}\n`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

function register(program: Command, action: Action, description: string): void {
  program
    .command(action)
    .description(description)
    .requiredOption(
      '-g, --group <name|regex>',
      'consumer group name, or a regular expression over group names',
    )
    .requiredOption('--from <cluster>', `cluster alias the groups leave`)
    .requiredOption('--to <cluster>', `cluster alias the groups move to`)
    .option(
      '-c, --config <file>',
      "the mirror's configuration (mm2.properties or YAML): cluster aliases and settings",
    )
    .option(
      '--bootstrap <alias=host:port,...>',
      "a cluster's bootstrap servers (overrides the configuration's; repeatable)",
      collect,
      [],
    )
    .option('--execute', 'commit the plan on the target (without it nothing is changed)')
    .option('--dry-run', 'only print the plan (the default; for scripts that say so explicitly)')
    .option('--json', 'print one JSON document instead of the table')
    .option(
      '--max-scan <records>',
      'records read per partition at most to count re-reads and find copies',
      '1000000',
    )
    .option('--replication-policy <default|identity>', "the mirror's policy when there is no --config")
    .action(async (f: FailoverFlags) => {
      if (f.execute && f.dryRun) throw new Error('--execute and --dry-run contradict each other: give one');
      const maxScan = Number(f.maxScan);
      if (!Number.isInteger(maxScan) || maxScan <= 0)
        throw new Error(`--max-scan must be a positive integer, got "${f.maxScan}"`);
      const progress = progressPrinter();
      let report;
      try {
        report = await runFailover({
          action,
          group: f.group,
          from: f.from,
          to: f.to,
          config: f.config,
          bootstrap: f.bootstrap,
          replicationPolicy: f.replicationPolicy,
          execute: f.execute === true,
          maxScan,
          progress: progress.line,
        });
      } finally {
        progress.done();
      }
      console.log(f.json ? renderJson(report) : renderText(report));
      process.exitCode = exitCode(report);
    });
}

export function registerFailoverCommands(program: Command): void {
  register(
    program,
    'failover',
    'move consumer groups to another cluster at their translated offsets (plan; --execute commits)',
  );
  register(
    program,
    'failback',
    'bring failed-over consumer groups home where they stopped on the other cluster (plan; --execute commits)',
  );
}
