// The child processes (etcd, kube-apiserver, webhook) that the test tooling starts, tracked by
// PID so that they are stopped by exactly that PID: on stop(), and when this process exits or is
// interrupted. Detached children (cluster:up) are not tracked: they outlive us on purpose and are
// stopped later by the PIDs in the state file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';

export interface StartedProcess {
  name: string;
  pid: number;
  logPath: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<string>;
  /** The process has exited. */
  hasExited(): boolean;
}

const tracked = new Map<number, string>();
const dirsToRemove = new Set<string>();
let handlersInstalled = false;

function killTrackedSync(): void {
  for (const pid of tracked.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  tracked.clear();
  for (const dir of dirsToRemove) rmSync(dir, { recursive: true, force: true });
  dirsToRemove.clear();
}

/** Removes `dir` when this process exits or is interrupted (unless forgetDirOnExit is called). */
export function removeDirOnExit(dir: string): void {
  installExitHandlers();
  dirsToRemove.add(dir);
}

export function forgetDirOnExit(dir: string): void {
  dirsToRemove.delete(dir);
}

function onSignal(signal: NodeJS.Signals): void {
  // When the host (vitest, the demo) has its own handler, it stops the children itself and the
  // 'exit' hook is the safety net. Alone, we kill them and keep the signal's default (terminate).
  if (process.listenerCount(signal) > 1) return;
  killTrackedSync();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killTrackedSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Outlive this process (own process group, not killed on exit). */
  detached?: boolean;
}

/** Starts a process with stdout and stderr appended to `logPath`. */
export function spawnLogged(options: SpawnOptions): StartedProcess {
  const fd = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: options.detached ?? false,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      tracked.delete(pid);
      resolve(signal ?? String(code));
    });
    child.once('error', (err) => {
      done = true;
      tracked.delete(pid);
      resolve(`error: ${err.message}`);
    });
  });
  if (options.detached) {
    child.unref();
  } else {
    installExitHandlers();
    tracked.set(pid, options.name);
  }
  return { name: options.name, pid, logPath: options.logPath, exited, hasExited: () => done };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a PID (Linux /proc), or undefined when it is gone. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** The argument vector of a PID (Linux /proc), or undefined when it is gone (a zombie's is empty). */
export function argvOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SIGTERM, then SIGKILL after `graceMs` if the process is still there. By PID only. */
export async function stopPid(pid: number, graceMs = 5_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid) || isZombie(pid)) break;
    await sleep(50);
  }
  if (isAlive(pid) && !isZombie(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  tracked.delete(pid);
}

/** A child that exited but was not yet reaped still answers kill(pid, 0). */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Stops a process we started and waits until it has exited. */
export async function stopProcess(proc: StartedProcess, graceMs = 5_000): Promise<void> {
  if (proc.hasExited()) return;
  await stopPid(proc.pid, graceMs);
  await Promise.race([proc.exited, sleep(graceMs)]);
}

/** The last `lines` lines of a log file (for error messages). */
export function tailOf(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
