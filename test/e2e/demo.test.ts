// `npm run demo` as a user runs it: `node build/tools/test-cluster/demo.js` (after `npm run build && npm run build:tools`) from the
// repository root. The `export KUBECONFIG=…` line and the maintenance commands it prints are run
// as printed, through bash, with real kubectl (the run's kubectl.1.33 as `kubectl` on PATH);
// then SIGINT (Ctrl-C) stops the demo and everything it started.
//
// The demo brings its own cluster; of the run's shared cluster this file uses only its kubectl.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_SCHEDULER_USER } from '../../src/admission/handler-deps.js';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { runKubectl } from '../../tools/test-cluster/kubectl.js';
import { commandLineOf, isAlive, spawnLogged, stopPid, tailOf, type StartedProcess } from '../../tools/test-cluster/processes.js';
import { ctx, waitFor } from './harness.js';

const root = repoRoot();
const CHILDREN = ['etcd', 'kube-apiserver', 'webhook', 'scheduler'] as const;
type Child = (typeof CHILDREN)[number];

interface ShootDoc {
  metadata: { name: string; namespace: string };
  spec: {
    kubernetes: { version: string };
    maintenance: { timeWindow: { begin: string; end: string } };
    provider: { workers: { machine: { image: { version: string } } }[] };
  };
}
const example = parse(readFileSync(join(root, 'examples', 'shoots', 'outdated.yaml'), 'utf8')) as ShootDoc;
// The latest 1.32 patch and the latest gardenlinux in examples/cloudprofile.yaml.
const BEFORE = `${example.spec.kubernetes.version} ${example.spec.provider.workers[0]?.machine.image.version}`;
const AFTER = '1.32.4 1592.4.0';

let tmp: string;
let demo: StartedProcess;
let output = '';
let exportLine = '';
let clusterDir = '';
let children: Record<Child, { pid: number; cmdline: string }>;

const demoOutput = () => {
  try {
    return readFileSync(demo.logPath, 'utf8');
  } catch {
    return '';
  }
};

/** PIDs whose parent is `pid` (Linux /proc). */
function childPidsOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

/** The demo's printed lines `export KUBECONFIG=…` and `<command>`, run by bash as a user would. */
function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(tmp, 'bin')}:${process.env.PATH ?? ''}` };
  delete env.KUBECONFIG;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${exportLine}\n${command}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** The commands of the printed section "# <n>." (4: maintenance), in order. */
function sectionCommands(n: number): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s+# ${n}\\. `).test(l));
  expect(start, output).toBeGreaterThan(0);
  const section: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    if (line.trim().startsWith('kubectl ')) section.push(line.trim());
  }
  return section;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shoot-maintenance-demo-test-'));
  // `kubectl` on the PATH of the printed commands is the kubectl matching the API server.
  mkdirSync(join(tmp, 'bin'));
  symlinkSync(ctx().kubectlPath, join(tmp, 'bin', 'kubectl'));

  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.KUBECONFIG;
  demo = spawnLogged({ name: 'demo', command: process.execPath, args: [join(root, 'build', 'tools', 'test-cluster', 'demo.js')], logPath: join(tmp, 'demo.log'), cwd: root, env });
  await waitFor(() => {
    if (demo.hasExited()) throw new Error(`the demo exited during start:\n${tailOf(demo.logPath, 40)}`);
    return demoOutput().includes('Ctrl-C stops everything.');
  }, 240_000, 250).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- demo output ---\n${tailOf(demo.logPath, 40)}`, { cause: err });
  });
  output = demoOutput();
  exportLine = output.split('\n').find((l) => /^\s+export KUBECONFIG=\S+$/.test(l))?.trim() ?? '';
  clusterDir = /^Logs: (\S+)$/m.exec(output)?.[1] ?? '';
  const processes = /^Processes: (.+)$/m.exec(output)?.[1] ?? '';
  children = Object.fromEntries(
    CHILDREN.map((name) => {
      const pid = Number(new RegExp(`(?:^|, )${name} (\\d+)`).exec(processes)?.[1]);
      return [name, { pid, cmdline: commandLineOf(pid) ?? '' }];
    }),
  ) as typeof children;
});

afterAll(async () => {
  // Only if a test failed before the demo was stopped: the demo (SIGTERM: it stops its children
  // itself), then any child of it still running as what it was started as.
  if (demo && !demo.hasExited()) await stopPid(demo.pid, 15_000);
  for (const { pid, cmdline } of Object.values(children ?? {})) {
    if (pid > 0 && cmdline !== '' && commandLineOf(pid) === cmdline) await stopPid(pid);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('prints the KUBECONFIG to use and the processes it started: etcd, kube-apiserver, webhook, scheduler', () => {
    expect(exportLine, output).toMatch(/^export KUBECONFIG=\/\S+\/kubeconfig\.yaml$/);
    expect(existsSync(exportLine.slice('export KUBECONFIG='.length))).toBe(true);
    expect(clusterDir, output).not.toBe('');
    expect(output).toContain(`Scheduler: ${DEFAULT_SCHEDULER_USER} (RBAC from manifests/scheduler/rbac.yaml`);
    expect(children['etcd'].cmdline).toMatch(/\/etcd-v[\d.]+ /);
    expect(children['kube-apiserver'].cmdline).toMatch(/\/kube-apiserver-v[\d.]+ /);
    expect(children['webhook'].cmdline).toContain(`dist/cli.js webhook `);
    expect(children['webhook'].cmdline).toContain(`--scheduler-user ${DEFAULT_SCHEDULER_USER}`);
    expect(children['scheduler'].cmdline).toContain(`dist/cli.js scheduler `);
    expect(children['scheduler'].cmdline).toContain('--lease-namespace shoot-maintenance');
    // Nothing else: the four are all the demo runs.
    expect(childPidsOf(demo.pid)).toEqual(CHILDREN.map((name) => children[name].pid).sort((a, b) => a - b));
  });

  it('runs the scheduler as its ServiceAccount, authenticated by a real token, holding its Lease', async () => {
    const kubeconfig = /--kubeconfig (\S+)/.exec(children['scheduler'].cmdline)?.[1] ?? '';
    const config = readFileSync(kubeconfig, 'utf8');
    expect(config).toMatch(/token: \S+/);
    expect(config).not.toContain('client-certificate-data');
    const whoami = await runKubectl(ctx().kubectlPath, kubeconfig, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout.trim()).toBe(DEFAULT_SCHEDULER_USER);
    // What manifests/scheduler/rbac.yaml grants, and not more: no Shoot creation.
    const cannot = await runKubectl(ctx().kubectlPath, kubeconfig, ['auth', 'can-i', 'create', 'shoots.core.gardener.cloud', '-n', 'garden-dev']);
    expect(cannot.stdout.trim()).toBe('no');
    const lease = await sh("kubectl get lease shoot-maintenance-scheduler -n shoot-maintenance -o jsonpath='{.spec.holderIdentity}'");
    expect(lease.code, lease.stderr).toBe(0);
    expect(lease.stdout.trim()).not.toBe('');
  });

  it('the printed maintenance commands: the versions move, lastMaintenance Succeeded, Events, the MAINTENANCE column', async () => {
    const commands = sectionCommands(4);
    const pick = (what: string, test: (c: string) => boolean) => {
      const found = commands.filter(test);
      expect(found, `${what} in ${JSON.stringify(commands)}`).toHaveLength(1);
      return found[0] as string;
    };
    const apply = pick('apply', (c) => c.startsWith('kubectl apply -f examples/shoots/outdated.yaml'));
    const annotate = pick('annotate', (c) => c.startsWith('kubectl annotate ') && c.endsWith('gardener.cloud/operation=maintain'));
    const versions = pick('versions', (c) => c.includes('{.spec.kubernetes.version}'));
    const lastMaintenance = pick('lastMaintenance', (c) => c.includes('{.status.lastMaintenance}'));
    const events = pick('events', (c) => c.startsWith('kubectl get events -n garden-dev'));
    const shoots = pick('shoots', (c) => c.startsWith('kubectl get shoots -n garden-dev'));
    expect(commands).toEqual([apply, annotate, versions, lastMaintenance, events, shoots]);

    const applied = await sh(apply);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim()).toBe(`shoot.core.gardener.cloud/${example.metadata.name} created`);
    // Unless the demo said the window is now, nothing moves until `maintain` is asked for.
    const windowNow = output.includes('its window is now');
    if (!windowNow) expect((await sh(versions)).stdout.trim()).toBe(BEFORE);

    const asked = Date.now();
    const annotated = await sh(annotate);
    expect(annotated.code, annotated.stderr).toBe(0);
    expect(annotated.stdout.trim()).toBe(`shoot.core.gardener.cloud/${example.metadata.name} annotated`);

    await waitFor(async () => (await sh(versions)).stdout.trim() === AFTER, 60_000, 250);
    const record = await waitFor(async () => {
      const r = await sh(lastMaintenance);
      const parsed = r.stdout.trim() ? (JSON.parse(r.stdout) as { state?: string; description?: string; triggeredTime?: string }) : undefined;
      return parsed?.state === 'Succeeded' ? parsed : undefined;
    }, 30_000, 250);
    expect(record.description).toContain(`Updated Kubernetes version from "${example.spec.kubernetes.version}" to "1.32.4"`);
    // triggeredTime has seconds only.
    if (!windowNow) expect(Date.parse(record.triggeredTime ?? '')).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000);

    const listed = await waitFor(async () => {
      const r = await sh(events);
      return r.stdout.includes('KubernetesVersionMaintenance') && r.stdout.includes('MachineImageVersionMaintenance') ? r.stdout : undefined;
    }, 30_000, 250);
    for (const reason of ['KubernetesVersionMaintenance', 'MachineImageVersionMaintenance']) {
      expect(listed).toMatch(new RegExp(`Normal\\s+${reason}\\s+shoot/${example.metadata.name}\\s`));
    }

    const table = await sh(shoots);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['NAME', 'KUBERNETES', 'WINDOW BEGIN', 'WINDOW END', 'MAINTENANCE', 'AGE']);
    const row = rows.map((r) => r.trim().split(/\s+/)).find((r) => r[0] === example.metadata.name);
    const { begin, end } = example.spec.maintenance.timeWindow;
    expect(row?.slice(0, 5)).toEqual([example.metadata.name, '1.32.4', begin, end, 'Succeeded']);
  });

  it('the printed Gardener-style shoot with an empty kubernetes block is created with the latest supported version', async () => {
    const [apply, get, ...rest] = sectionCommands(5);
    expect(rest).toEqual([]);
    expect(apply).toBe('kubectl apply -f examples/shoots/empty-kubernetes.yaml');
    const applied = await sh(apply ?? '');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim()).toBe('shoot.core.gardener.cloud/defaults created');
    // 1.33.1: the latest supported version of examples/cloudprofile.yaml (1.33.2 is a preview).
    expect((await sh(get ?? '')).stdout.trim()).toBe('{"version":"1.33.1"}');
  });

  it('Ctrl-C (SIGINT) stops the demo and every process it started; its temp dir is gone', async () => {
    process.kill(demo.pid, 'SIGINT');
    const code = await Promise.race([demo.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
    expect(code, tailOf(demo.logPath, 40)).toBe('0');
    await waitFor(() => CHILDREN.every((name) => !isAlive(children[name].pid) || commandLineOf(children[name].pid) !== children[name].cmdline), 30_000);
    expect(existsSync(clusterDir)).toBe(false);
    expect(demoOutput()).toContain('stopping…');
  });
});
