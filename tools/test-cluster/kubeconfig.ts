// Kubeconfig files for the test cluster: one per identity, each with its own client certificate
// signed by the cluster's CA (user = CN, groups = O), or with a bearer token (a ServiceAccount's).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createSignedCertificate, type KeyPairPem } from '../../src/pki/certificates.js';

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

function kubeconfigWithUser(server: string, caCertPem: string, user: string, credentials: Record<string, string>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': b64(caCertPem) } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: 'test', context: { cluster: 'test', user } }],
    'current-context': 'test',
  });
}

export function kubeconfigYaml(server: string, caCertPem: string, user: string, client: KeyPairPem): string {
  return kubeconfigWithUser(server, caCertPem, user, { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(client.keyPem) });
}

/** A kubeconfig that authenticates with a bearer token; `user` only names the entry. */
export function tokenKubeconfigYaml(server: string, caCertPem: string, user: string, token: string): string {
  return kubeconfigWithUser(server, caCertPem, user, { token });
}

export interface UserKubeconfigOptions {
  dir: string;
  server: string;
  ca: KeyPairPem;
  user: string;
  groups?: string[];
}

/** Writes `kubeconfig-<user>.yaml` into `dir` and returns its path. */
export function writeUserKubeconfig(options: UserKubeconfigOptions): string {
  const client = createSignedCertificate(options.ca, {
    commonName: options.user,
    organizations: options.groups ?? [],
    usage: 'client',
  });
  const safe = options.user.replace(/[^A-Za-z0-9._-]/g, '_');
  const path = join(options.dir, `kubeconfig-${safe}.yaml`);
  writeFileSync(path, kubeconfigYaml(options.server, options.ca.certPem, options.user, client), { mode: 0o600 });
  return path;
}
