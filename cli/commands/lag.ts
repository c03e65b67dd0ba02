/**
 * `kgw lag [--group <regex>] [--cluster <name>]`: consumer lag per group, topic and partition — in
 * records (exact, as kafka-consumer-groups.sh --describe shows it) and in seconds (estimated, see
 * support/lag-report.ts) with Burrow's status — from the monitor's own code run once, or from a
 * running monitor with --monitor <url>. docs/cli.md#kgw-lag.
 */
import type { Command } from 'commander';
import { compileFilter } from '../../monitor/config.js';
import { loadMonitorConfig } from '../../monitor/config.js';
import { CommandFailed, UsageError } from '../support/errors.js';
import {
  lagFromMonitor,
  monitorClusters,
  sampleLag,
  type ClusterLagReport,
  type LagQuery,
} from '../support/lag-report.js';
import { addConnectionOptions, resolveTargets, type ConnectionFlags } from '../support/targets.js';
import { parseDuration } from '../render/format.js';
import { lagJson, renderLagTable } from '../render/lag.js';
import { createOutput } from '../render/output.js';

interface LagFlags extends ConnectionFlags {
  group?: string;
  topic?: string;
  samples: string;
  interval: string;
  monitor?: string;
  json?: boolean;
}

export function registerLagCommand(program: Command): void {
  const cmd = program
    .command('lag')
    .description('consumer lag per group/topic/partition: records, seconds and Burrow status')
    .option('-g, --group <regex>', 'only groups matching this regular expression')
    .option('-t, --topic <regex>', 'only topics matching this regular expression')
    .option('--samples <n>', 'collections to take (time lag needs at least 2)', '2')
    .option('--interval <duration>', 'time between samples, e.g. 5s or 500ms', '5s')
    .option('--monitor <url>', "read a running monitor's lag and Burrow status instead of sampling")
    .option('--json', 'one JSON document instead of the table');
  addConnectionOptions(cmd, { monitorConfig: true }).action(async (flags: LagFlags) => runLag(flags));
}

const regex = (flag: string, source: string): RegExp => {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UsageError(`${flag}: not a regular expression: ${(e as Error).message}`);
  }
};

async function runLag(flags: LagFlags): Promise<void> {
  const out = createOutput(flags);
  const samples = Number(flags.samples);
  if (!Number.isInteger(samples) || samples < 1 || samples > 60)
    throw new UsageError(`--samples must be an integer 1-60, got "${flags.samples}"`);
  const intervalMs = parseDuration(flags.interval);
  if (intervalMs === undefined || intervalMs < 100)
    throw new UsageError(
      `--interval must be a duration of at least 100ms (e.g. 5s), got "${flags.interval}"`,
    );
  // A monitor configuration brings its own group and topic filters; --group / --topic narrow them.
  const fromConfig = flags.config ? loadMonitorConfig(flags.config) : undefined;
  const baseGroups = fromConfig ? compileFilter(fromConfig.groups) : () => true;
  const baseTopics = fromConfig ? compileFilter(fromConfig.topics) : () => true;
  const groupRe = flags.group === undefined ? undefined : regex('--group', flags.group);
  const topicRe = flags.topic === undefined ? undefined : regex('--topic', flags.topic);
  const query: LagQuery = {
    groupFilter: (g) => baseGroups(g) && (groupRe?.test(g) ?? true),
    topicFilter: (t) => baseTopics(t) && (topicRe?.test(t) ?? true),
  };

  let reports: ClusterLagReport[];
  if (flags.monitor !== undefined) {
    const known = await monitorClusters(flags.monitor);
    const names = flags.cluster === undefined ? known : known.filter((c) => c === flags.cluster);
    if (names.length === 0)
      throw new UsageError(
        `the monitor watches no cluster "${flags.cluster}" (it watches: ${known.join(', ')})`,
      );
    reports = await Promise.all(names.map((c) => lagFromMonitor(flags.monitor!, c, query)));
  } else {
    const { targets } = resolveTargets(flags);
    reports = await Promise.all(
      targets.map((t) => sampleLag(t, query, { samples, intervalMs, progress: (s) => out.progress(s) })),
    );
    out.progressDone();
  }
  if (out.json) out.printJson(lagJson(reports));
  else {
    const table = renderLagTable(reports, out.style);
    if (table !== '') out.print(table);
  }
  const failed = reports.filter((r) => r.error);
  if (failed.length > 0) {
    if (!out.json) for (const r of failed) process.stderr.write(`kgw lag: ${r.cluster}: ${r.error}\n`);
    throw new CommandFailed(`${failed.length} of ${reports.length} cluster(s) could not be read`);
  }
}
