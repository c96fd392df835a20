// The webhook's serving certificate: `tls.crt` and `tls.key` in a directory, as cert-manager
// writes a Secret volume (it swaps a `..data` symlink, so files change without their names
// changing). Reloaded on fs.watch events, on SIGHUP (wired by the command) and periodically; a
// pair that does not load or whose key does not match the certificate is refused and the old
// pair kept. Listeners (the HTTPS server's setSecureContext) see only good pairs.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
  /** SHA-256 fingerprint of the leaf certificate, to tell a new pair from the same one. */
  fingerprint: string;
}

export type ReloadResult = 'success' | 'failure';

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

/** Reads and checks a pair; throws an Error with a one-line message when it is unusable. */
export function readServingCertificate(dir: string): ServingCertificate {
  let certPem: string;
  let keyPem: string;
  try {
    certPem = readFileSync(join(dir, CERT_FILE), 'utf8');
    keyPem = readFileSync(join(dir, KEY_FILE), 'utf8');
  } catch (err) {
    throw new Error(`cannot read the serving certificate in ${dir}: ${firstLine(err)}`, { cause: err });
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new Error(`${join(dir, CERT_FILE)} is not a PEM certificate: ${firstLine(err)}`, { cause: err });
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    throw new Error(`${join(dir, KEY_FILE)} is not a usable private key: ${firstLine(err)}`, { cause: err });
  }
  if (!matches) throw new Error(`${join(dir, KEY_FILE)} does not match the certificate ${join(dir, CERT_FILE)}`);
  return { certPem, keyPem, notAfter: new Date(cert.validTo), fingerprint: cert.fingerprint256 };
}

export class ServingCertificateStore {
  private pair: ServingCertificate;
  private readonly changeListeners: ((pair: ServingCertificate) => void)[] = [];
  private readonly reloadListeners: ((result: ReloadResult) => void)[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;

  /** Loads the pair at once; throws (one line) when there is no usable pair yet. */
  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {
    this.pair = readServingCertificate(dir);
  }

  current(): ServingCertificate {
    return this.pair;
  }

  /** Called with each new good pair. */
  onChange(listener: (pair: ServingCertificate) => void): void {
    this.changeListeners.push(listener);
  }

  /** Called after every reload that found a new pair (success) or an unusable one (failure). */
  onReload(listener: (result: ReloadResult) => void): void {
    this.reloadListeners.push(listener);
  }

  /** Re-reads the directory. Returns what happened; the same pair again is 'unchanged'. */
  reload(trigger: string): ReloadResult | 'unchanged' {
    let next: ServingCertificate;
    try {
      next = readServingCertificate(this.dir);
    } catch (err) {
      this.log.error({ trigger, err: firstLine(err) }, 'serving certificate refused; keeping the previous one');
      for (const l of this.reloadListeners) l('failure');
      return 'failure';
    }
    if (next.fingerprint === this.pair.fingerprint && next.keyPem === this.pair.keyPem) return 'unchanged';
    for (const l of this.changeListeners) {
      try {
        l(next);
      } catch (err) {
        this.log.error({ trigger, err: firstLine(err) }, 'serving certificate refused by the TLS server');
        for (const r of this.reloadListeners) r('failure');
        return 'failure';
      }
    }
    this.pair = next;
    this.log.info({ trigger, notAfter: next.notAfter.toISOString() }, 'serving certificate reloaded');
    for (const l of this.reloadListeners) l('success');
    return 'success';
  }

  /** Watches the directory and re-reads every `intervalMs` as a fallback. */
  watch(intervalMs = 60_000): void {
    try {
      this.watcher = watch(this.dir, () => {
        // Several events arrive per swap; reload once they settle.
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.reload('watch'), 200);
        this.debounce.unref();
      });
      this.watcher.on('error', (err) => this.log.warn({ err: firstLine(err) }, 'watching the certificate directory failed'));
    } catch (err) {
      this.log.warn({ err: firstLine(err) }, 'cannot watch the certificate directory; relying on periodic reload');
    }
    this.timer = setInterval(() => this.reload('periodic'), intervalMs);
    this.timer.unref();
  }

  close(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }
}
