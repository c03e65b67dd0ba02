/**
 * Runs a multi-stage Dockerfile's file operations on this machine, where there is no Docker engine:
 * each stage gets a directory standing for its root file system; WORKDIR, COPY (from the build
 * context filtered by .dockerignore with @balena/dockerignore, Docker's own matching rules, or
 * `--from` another stage) and RUN are carried out in order. A RUN line is executed only through a
 * `RunPlan` the caller gives for that exact line, so a change to the Dockerfile's commands fails
 * the test until the test knows how to reproduce it.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

// A CommonJS module whose typings declare an ES default export: load it as CommonJS.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as (o?: {
  ignorecase?: boolean;
}) => Ignore;

export interface ParsedInstruction {
  keyword: string;
  args: string[];
  flags: Record<string, string | null>;
  /** Argument text with line continuations joined. */
  text: string;
  line: number;
}

export interface Stage {
  name: string;
  image: string;
  instructions: ParsedInstruction[];
}

export function parseStages(dockerfileText: string): { args: Record<string, string>; stages: Stage[] } {
  const file = DockerfileParser.parse(dockerfileText);
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of file.getInstructions()) {
    const parsed = describe(ins);
    if (parsed.keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = parsed.text.split('=');
      args[name!.trim()] = value.trim();
    } else if (parsed.keyword === 'FROM') {
      const image = parsed.args[0]!.replace(/\$\{(\w+)\}/g, (_, v: string) => args[v] ?? '');
      const as = parsed.args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? parsed.args[as + 1]! : String(stages.length), image, instructions: [] });
    } else stages.at(-1)?.instructions.push(parsed);
  }
  return { args, stages };
}

function describe(ins: Instruction): ParsedInstruction {
  const flags: Record<string, string | null> = {};
  const withFlags = ins as Instruction & {
    getFlags?: () => { getName(): string; getValue(): string | null }[];
  };
  for (const f of withFlags.getFlags?.() ?? []) flags[f.getName()] = f.getValue();
  return {
    keyword: ins.getKeyword().toUpperCase(),
    args: ins
      .getArguments()
      .map((a) => a.getValue())
      .filter((a) => !a.startsWith('--')),
    flags,
    text: (ins.getArgumentsContent() ?? '')
      .replace(/\\\r?\n/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
    line: ins.getRange().start.line + 1,
  };
}

/** What to do for one RUN line here: run it (maybe rewritten) in the stage's working directory, or an equivalent. */
export type RunPlan = (ctx: { stageRoot: string; workdir: string; command: string }) => Promise<void>;

export interface BuildOptions {
  context: string;
  out: string;
  /** Keyed by the RUN line's exact text. */
  runs: Record<string, RunPlan>;
}

/**
 * Carries out every stage, each as soon as the stages it copies from are done (as BuildKit runs
 * independent stages side by side); returns each stage's root directory.
 */
export async function buildStages(dockerfileText: string, o: BuildOptions): Promise<Map<string, string>> {
  const done = new Map<string, Promise<string>>();
  for (const stage of parseStages(dockerfileText).stages) {
    const needs = stage.instructions.flatMap((i) => (i.flags.from ? [i.flags.from] : []));
    const after = Promise.all(
      needs.map((n) => {
        const p = done.get(n);
        if (!p) throw new Error(`stage ${stage.name}: COPY --from=${n}: no such stage before it`);
        return p.then((root) => [n, root] as const);
      }),
    );
    done.set(
      stage.name,
      after.then((roots) => runStage(stage, new Map(roots), o)),
    );
  }
  const roots = new Map<string, string>();
  for (const [name, p] of done) roots.set(name, await p);
  return roots;
}

async function runStage(stage: Stage, roots: Map<string, string>, o: BuildOptions): Promise<string> {
  const ignored = dockerignore({ ignorecase: false }).add(
    readFileSync(join(o.context, '.dockerignore'), 'utf8'),
  );
  const root = join(o.out, stage.name);
  mkdirSync(root, { recursive: true });
  let workdir = '/';
  const inRoot = (p: string): string => join(root, p.startsWith('/') ? p : join(workdir, p));
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') {
      workdir = ins.args[0]!.startsWith('/') ? ins.args[0]! : join(workdir, ins.args[0]!);
      mkdirSync(inRoot(workdir), { recursive: true });
    } else if (ins.keyword === 'COPY') {
      const sources = ins.args.slice(0, -1);
      const dest = ins.args.at(-1)!;
      const from = ins.flags.from;
      for (const src of sources) {
        const base = from ? roots.get(from) : o.context;
        if (!base) throw new Error(`line ${ins.line}: COPY --from=${from}: no such stage before it`);
        const path = join(base, src);
        if (!existsSync(path)) throw new Error(`line ${ins.line}: COPY source ${src} does not exist`);
        const target =
          dest.endsWith('/') && !statSync(path).isDirectory() ? join(dest, src.split('/').at(-1)!) : dest;
        mkdirSync(dirname(inRoot(target)), { recursive: true });
        cpSync(path, inRoot(target), {
          recursive: true,
          verbatimSymlinks: true,
          // The build context never contains what .dockerignore excludes.
          filter: (p) => from !== undefined || !isIgnored(ignored, relative(o.context, p)),
        });
      }
    } else if (ins.keyword === 'RUN') {
      const plan = o.runs[ins.text];
      if (!plan) throw new Error(`line ${ins.line}: no plan to reproduce RUN ${ins.text}`);
      await plan({ stageRoot: root, workdir: inRoot(workdir), command: ins.text });
    }
  }
  return root;
}

function isIgnored(ig: Ignore, rel: string): boolean {
  return rel !== '' && ig.ignores(rel);
}

/** The build context's view: is this path (relative to the context) sent to the builder? */
export function contextAdmits(context: string, rel: string): boolean {
  const ig = dockerignore({ ignorecase: false }).add(readFileSync(join(context, '.dockerignore'), 'utf8'));
  return !ig.ignores(rel);
}

/** Runs a shell command; rejects with its output when it fails. */
export function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} (in ${cwd}) exited ${code}:\n${out}`)),
    );
  });
}
