// Loading a kubeconfig: the --kubeconfig flag, else $KUBECONFIG, else the in-cluster service
// account, else ~/.kube/config. Errors are one line, for the command to print.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else if (process.env.KUBECONFIG) kc.loadFromDefault();
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else if (existsSync(join(homedir(), '.kube', 'config'))) kc.loadFromDefault();
    // client-node would fall back to http://localhost:8080; say what is missing instead.
    else throw new Error('no kubeconfig found (use --kubeconfig, KUBECONFIG, or run in a cluster)');
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    throw new Error(`cannot load kubeconfig${path ? ` ${path}` : ''}: ${reason}`, { cause: err });
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`no cluster in the kubeconfig${path ? ` ${path}` : ''} (use --kubeconfig, KUBECONFIG, or run in a cluster)`);
  }
  return kc;
}
