// What the one-node cluster may change on the host, recorded before it starts and compared (and
// restored) after it stops: kernel settings (all of /proc/sys, less the counters that move by
// themselves), iptables/ip6tables rules and the nf_tables tables behind them, mounts, network
// interfaces and routes, kubepods cgroups, well-known directories that kubelet, containerd and the
// CNI plugins create outside our cluster directory, and the processes of our binaries.
//
// `cluster:up --node` records a snapshot in its state file before touching anything;
// `cluster:down` restores from it and prints what still differs; the node smoke check compares a
// snapshot of its own taken before `up` with the host after `down`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostSnapshot {
  takenAt: string;
  /** "kernel.panic" → "1", for every readable /proc/sys file but the volatile ones. */
  sysctls: Record<string, string>;
  /** iptables-save / ip6tables-save output without counters and comments ('' when not installed). */
  iptables: { ipv4: string; ipv6: string };
  /** `nft list tables` lines, e.g. "table ip nat" (undefined when nft is not installed). */
  nftTables?: string[];
  /** Mount points (field 5 of /proc/self/mountinfo). */
  mounts: string[];
  /** Network interface names. */
  links: string[];
  /** `ip route show table all` (IPv4 and IPv6). */
  routes: string[];
  /** Cgroup directories named kubepods (or below it) in any hierarchy. */
  cgroups: string[];
  /** Which of the well-known host paths exist. */
  paths: Record<string, boolean>;
}

/** Sysctls that change by themselves (counters, random values). */
const VOLATILE_SYSCTL = [
  /^fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)/,
  /^kernel\.(ns_last_pid|random\.|pty\.nr|tainted)/,
  /^net\.netfilter\.nf_conntrack_count$/,
  /^vm\.(stat_refresh|drop_caches|compact_memory)$/,
];

/** Directories that kubelet, containerd, runc or the CNI plugins use by default outside our cluster dir. */
export const WATCHED_PATHS = [
  '/run/containerd',
  '/var/lib/containerd',
  '/opt/containerd',
  '/var/lib/cni',
  '/var/run/netns',
  '/etc/cni',
  '/opt/cni',
  '/var/lib/kubelet',
  '/var/log/pods',
  '/var/log/containers',
  '/usr/libexec/kubernetes',
  '/var/run/kubernetes',
  '/etc/kubernetes',
  '/run/runc',
];

const CGROUP_ROOT = '/sys/fs/cgroup';

function run(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch {
    return undefined;
  }
}

function readSysctls(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const key = prefix === '' ? entry.name : `${prefix}.${entry.name}`;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path, key);
      } else if (!VOLATILE_SYSCTL.some((re) => re.test(key))) {
        try {
          out[key] = readFileSync(path, 'utf8').trim().replace(/\s+/g, ' ');
        } catch {
          // write-only or permission-denied entries
        }
      }
    }
  };
  walk('/proc/sys', '');
  return out;
}

/** iptables-save output without the counters and "# Generated/Completed" comments. */
export function normalizeIptables(save: string): string {
  return save
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/ \[\d+:\d+\]$/, '').replace(/^(\[\d+:\d+\] )/, ''))
    .join('\n');
}

function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ')[4] as string);
}

function links(): string[] {
  return (run('ip', ['-o', 'link', 'show']) ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.split(': ')[1] ?? '').split('@')[0] as string);
}

function routes(): string[] {
  const v4 = run('ip', ['-4', 'route', 'show', 'table', 'all']) ?? '';
  const v6 = run('ip', ['-6', 'route', 'show', 'table', 'all']) ?? '';
  return `${v4}${v6}`
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

/** Every kubepods directory (and everything under it) in each mounted cgroup hierarchy. */
export function kubepodsCgroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    found.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  const hierarchies = (() => {
    try {
      return readdirSync(CGROUP_ROOT, { withFileTypes: true }).filter((e) => e.isDirectory() || e.isSymbolicLink());
    } catch {
      return [];
    }
  })();
  for (const h of hierarchies) {
    const dir = join(CGROUP_ROOT, h.name);
    if (h.isSymbolicLink()) continue; // cpu -> cpu,cpuacct style aliases
    for (const name of ['kubepods', 'kubepods.slice']) {
      const top = join(dir, name);
      if (existsSync(top)) walk(top);
    }
  }
  return found.sort();
}

export function snapshotHost(): HostSnapshot {
  const nft = run('nft', ['list', 'tables']);
  return {
    takenAt: new Date().toISOString(),
    sysctls: readSysctls(),
    iptables: {
      ipv4: normalizeIptables(run('iptables-save', []) ?? ''),
      ipv6: normalizeIptables(run('ip6tables-save', []) ?? ''),
    },
    nftTables: nft === undefined ? undefined : nft.split('\n').filter((l) => l !== '').sort(),
    mounts: mountPoints(),
    links: links(),
    routes: routes(),
    cgroups: kubepodsCgroups(),
    paths: Object.fromEntries(WATCHED_PATHS.map((p) => [p, existsSync(p)])),
  };
}

/** Per-interface sysctls (net.ipv4.conf.<if>.*, neigh, ipv6) of interfaces that did not exist before. */
function isKeyOfNewInterface(key: string, before: HostSnapshot): boolean {
  const m = /^net\.ipv[46]\.(conf|neigh)\.([^.]+)\./.exec(key);
  if (!m) return false;
  const ifname = m[2] as string;
  return ifname !== 'all' && ifname !== 'default' && !before.links.includes(ifname);
}

export interface HostDifference {
  what: 'sysctl' | 'iptables' | 'nftables' | 'mount' | 'link' | 'route' | 'cgroup' | 'path';
  detail: string;
}

const added = (before: string[], after: string[]) => after.filter((x) => !before.includes(x));
const removed = (before: string[], after: string[]) => before.filter((x) => !after.includes(x));

/** Everything in `after` that differs from `before` (empty: the host is as it was). */
export function diffHost(before: HostSnapshot, after: HostSnapshot): HostDifference[] {
  const diffs: HostDifference[] = [];
  for (const [key, value] of Object.entries(after.sysctls)) {
    if (isKeyOfNewInterface(key, before)) continue;
    if (!(key in before.sysctls)) diffs.push({ what: 'sysctl', detail: `${key} appeared (= ${value})` });
    else if (before.sysctls[key] !== value) diffs.push({ what: 'sysctl', detail: `${key}: ${before.sysctls[key]} -> ${value}` });
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (before.iptables[family] !== after.iptables[family]) {
      const b = before.iptables[family].split('\n');
      const a = after.iptables[family].split('\n');
      const lines = [...added(b, a).map((l) => `+ ${l}`), ...removed(b, a).map((l) => `- ${l}`)];
      diffs.push({ what: 'iptables', detail: `${family}: ${lines.join(' | ') || 'order changed'}` });
    }
  }
  if (before.nftTables && after.nftTables) {
    for (const t of added(before.nftTables, after.nftTables)) diffs.push({ what: 'nftables', detail: `${t} appeared` });
    for (const t of removed(before.nftTables, after.nftTables)) diffs.push({ what: 'nftables', detail: `${t} disappeared` });
  }
  for (const m of added(before.mounts, after.mounts)) diffs.push({ what: 'mount', detail: `${m} mounted` });
  for (const m of removed(before.mounts, after.mounts)) diffs.push({ what: 'mount', detail: `${m} unmounted` });
  for (const l of added(before.links, after.links)) diffs.push({ what: 'link', detail: `${l} exists` });
  for (const l of removed(before.links, after.links)) diffs.push({ what: 'link', detail: `${l} is gone` });
  for (const r of added(before.routes, after.routes)) diffs.push({ what: 'route', detail: `+ ${r}` });
  for (const r of removed(before.routes, after.routes)) diffs.push({ what: 'route', detail: `- ${r}` });
  for (const c of added(before.cgroups, after.cgroups)) diffs.push({ what: 'cgroup', detail: `${c} exists` });
  for (const [p, existed] of Object.entries(before.paths)) {
    if (after.paths[p] !== existed) diffs.push({ what: 'path', detail: `${p} ${existed ? 'is gone' : 'exists'}` });
  }
  return diffs;
}

/** Writes back every sysctl that differs from `before` (not the per-interface ones of new interfaces). Returns what it changed. */
export function restoreSysctls(before: HostSnapshot, log: (line: string) => void): string[] {
  const now = readSysctls();
  const restored: string[] = [];
  for (const [key, old] of Object.entries(before.sysctls)) {
    const cur = now[key];
    if (cur === undefined || cur === old || isKeyOfNewInterface(key, before)) continue;
    try {
      writeFileSync(join('/proc/sys', ...key.split('.')), old);
      restored.push(`${key}: ${cur} -> ${old}`);
    } catch (err) {
      log(`could not restore sysctl ${key} to ${old}: ${(err as Error).message}`);
    }
  }
  return restored;
}

/** iptables-save output as recorded (counters stripped, which iptables-restore accepts). */
function restoreTables(family: 'ipv4' | 'ipv6', saved: string, log: (line: string) => void): void {
  const save = family === 'ipv4' ? 'iptables-save' : 'ip6tables-save';
  const restore = family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore';
  const current = run(save, []);
  if (current === undefined) return; // not installed
  const savedTables = new Set([...saved.matchAll(/^\*(\w+)$/gm)].map((m) => m[1] as string));
  // Tables that exist now but did not before: flush them and delete their chains, by restoring
  // each as its built-in chains with ACCEPT policies and no rules.
  const builtins: Record<string, string[]> = {};
  let table = '';
  for (const line of current.split('\n')) {
    const t = /^\*(\w+)$/.exec(line);
    if (t) {
      table = t[1] as string;
      builtins[table] = [];
    }
    const c = /^:([A-Z]+) (ACCEPT|DROP)/.exec(line);
    if (c && table !== '') builtins[table]?.push(c[1] as string);
  }
  let input = saved === '' ? '' : `${saved}\n`;
  for (const [name, chains] of Object.entries(builtins)) {
    if (savedTables.has(name)) continue;
    input += `*${name}\n${chains.map((c) => `:${c} ACCEPT [0:0]`).join('\n')}\nCOMMIT\n`;
  }
  if (input === '') return;
  try {
    execFileSync(restore, [], { input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (err) {
    log(`${restore} failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}`);
  }
}

/**
 * Puts iptables and ip6tables back as recorded, then deletes the nf_tables tables that did not
 * exist before (iptables-nft leaves its tables behind even when they are empty).
 */
export function restoreFirewall(before: HostSnapshot, log: (line: string) => void): void {
  restoreTables('ipv4', before.iptables.ipv4, log);
  restoreTables('ipv6', before.iptables.ipv6, log);
  if (before.nftTables === undefined) return;
  const now = run('nft', ['list', 'tables']);
  if (now === undefined) return;
  for (const t of added(before.nftTables, now.split('\n').filter((l) => l !== ''))) {
    const m = /^table (\w+) (\S+)$/.exec(t);
    if (!m) continue;
    if (run('nft', ['delete', 'table', m[1] as string, m[2] as string]) === undefined) log(`could not delete nf_tables ${t}`);
  }
}

/** A process of the node: how it is tied to it. */
export interface NodeProcess {
  pid: number;
  state: string;
  argv0: string;
  why: 'component' | 'shim' | 'kubepods cgroup';
}

/**
 * Live (or zombie) processes that belong to the node whose cluster directory is `clusterDir`:
 * a component (its flags name that directory: etcd's data dir, every config and kubeconfig), a
 * containerd shim (its -address is the node's containerd socket there), or a container's process
 * (in a kubepods cgroup, which only the node's kubelet creates: cluster:up refuses to start
 * when one exists). The same binaries run by others (e.g. e2e suites' kube-apiserver) are not.
 */
export function nodeProcesses(clusterDir: string): NodeProcess[] {
  const found: NodeProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cmdline: string[];
    let stat: string;
    let cgroup: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      continue;
    }
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const argv0 = cmdline[0] ?? `(${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))})`;
    const mentionsDir = cmdline.some((a) => a.includes(`${clusterDir}/`));
    let why: NodeProcess['why'] | undefined;
    if (/containerd-shim/.test(argv0) && mentionsDir) why = 'shim';
    else if (mentionsDir) why = 'component';
    else if (/kubepods/.test(cgroup)) why = 'kubepods cgroup';
    if (why !== undefined) found.push({ pid, state, argv0, why });
  }
  return found;
}

/** Every zombie on the machine ([pid, ppid, comm]): PID 1 here does not reap orphans, so they stay. */
export function zombieProcesses(): { pid: number; ppid: number; comm: string }[] {
  const out: { pid: number; ppid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') out.push({ pid: Number(name), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone
    }
  }
  return out;
}
