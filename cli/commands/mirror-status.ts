/**
 * `kgw mirror status`: the mirror's connectors and tasks (Kafka Connect's REST shapes), per flow
 * the records replicated, replication latency, record age and heartbeat age from its /metrics, and
 * with a monitor its measured replication lag and lost probe messages. Exit 1 when a connector or
 * task is not running or a mirror cannot be reached. docs/cli.md#kgw-mirror-status.
 */
import type { Command } from 'commander';
import { CommandFailed, UsageError } from '../support/errors.js';
import { contextFile, loadContext } from '../support/context.js';
import { mirrorHealthy, mirrorReport } from '../support/mirror-report.js';
import { createOutput } from '../render/output.js';
import { renderMirrorStatus } from '../render/mirror.js';

interface Flags {
  mirror?: string[];
  monitor?: string;
  context?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerMirrorStatusCommand(program: Command): void {
  const mirror = program.commands.find((c) => c.name() === 'mirror');
  if (!mirror) throw new Error('register the mirror command before its status sub-command');
  mirror
    .command('status')
    .description("connectors, tasks, flows, replication lag and lost probes from the mirror's REST API")
    .option(
      '--mirror <url>',
      'mirror REST URL, e.g. http://127.0.0.1:8083 (repeatable; default: the context)',
      collect,
    )
    .option('--monitor <url>', 'a monitor for replication lag and probe losses (default: the context)')
    .option('--context <file>', 'kgw context file')
    .option('--json', 'one JSON document instead of the tables')
    .action(async (flags: Flags) => mirrorStatus(flags));
}

async function mirrorStatus(flags: Flags): Promise<void> {
  const out = createOutput(flags);
  let mirrors = (flags.mirror ?? []).map((url, i) => ({
    name: flags.mirror!.length > 1 ? `mirror-${i + 1}` : 'mirror',
    url,
  }));
  let monitor = flags.monitor;
  if (mirrors.length === 0 || monitor === undefined) {
    const file = contextFile(flags.context);
    const context = file ? loadContext(file) : undefined;
    if (mirrors.length === 0) mirrors = context?.mirrors ?? [];
    monitor ??= context?.monitor;
  }
  if (mirrors.length === 0)
    throw new UsageError(
      'no mirror given: --mirror http://host:8083, or mirrors: in a context file (docs/cli.md#context)',
    );
  out.progress(`asking ${mirrors.length} mirror(s)`);
  const reports = await Promise.all(mirrors.map((m) => mirrorReport(m.name, m.url, monitor)));
  out.progressDone();
  if (out.json) out.printJson({ mirrors: reports, ...(monitor ? { monitor } : {}) });
  else out.print(renderMirrorStatus(reports, out.style, monitor !== undefined));
  const unhealthy = reports.filter((r) => !mirrorHealthy(r));
  if (unhealthy.length > 0)
    throw new CommandFailed(
      unhealthy
        .map(
          (r) =>
            `${r.name}: ${r.error ?? 'a connector or task is not running (see FAILED above; restart with POST /connectors/<name>/restart)'}`,
        )
        .join('\n'),
    );
}
