// The scheduler's maintenance freezes from the cluster (docs/design.md, "Maintenance freezes"):
// informers (./informer.ts) on maintenance.shoot-maintenance.io/v1alpha1 maintenanceexclusions and
// clustermaintenanceexclusions, and on core/v1 namespaces (their labels, for a
// ClusterMaintenanceExclusion's namespaceSelector). set() is read at every run, so a freeze
// created, changed or deleted applies to the next run without a restart. A collection the API
// server does not serve (404: the CRD is not installed) counts as listed and empty: it is logged
// once and the informer keeps retrying with its back-off, so installing the CRD later works.
import {
  CLUSTER_MAINTENANCE_EXCLUSION_KIND,
  EXCLUSION_API_VERSION,
  type ExclusionSet,
  MAINTENANCE_EXCLUSION_KIND,
  type MaintenanceExclusion,
} from '../core/maintenance-exclusion.js';
import type { InformerLog } from './cloudprofile-informer.js';
import { Informer, type KubeObject } from './informer.js';
import { KubeApiError, type KubeRestClient } from './rest-client.js';

export const MAINTENANCEEXCLUSIONS_PATH = `/apis/${EXCLUSION_API_VERSION}/maintenanceexclusions`;
export const CLUSTERMAINTENANCEEXCLUSIONS_PATH = `/apis/${EXCLUSION_API_VERSION}/clustermaintenanceexclusions`;
export const NAMESPACES_PATH = '/api/v1/namespaces';

interface Watched {
  informer: Informer<KubeObject>;
  /** The last list answered 404 (not served); cleared by a successful list. */
  missing: boolean;
  /** The 404 was logged (once per process). */
  reported: boolean;
}

export class ExclusionInformerSource {
  private readonly watched: Record<'namespaced' | 'cluster' | 'namespaces', Watched>;

  /** `onSynced` is called after every list of any of the three (the scheduler's queue start check). */
  constructor(
    client: KubeRestClient,
    private readonly log: InformerLog,
    onSynced: () => void = () => undefined,
  ) {
    const watch = (path: string, what: string): Watched => {
      const w: Watched = {
        missing: false,
        reported: false,
        informer: new Informer<KubeObject>(client, { path }, {
          onSynced: () => {
            w.missing = false;
            onSynced();
          },
          onError: (err, retryInMs) => {
            if (err instanceof KubeApiError && err.isNotFound && !w.informer.hasSynced) {
              w.missing = true;
              if (!w.reported) this.log.warn({ path }, `${what} not served (CRD not installed?): no freezes of this kind apply`);
              w.reported = true;
              onSynced();
              return;
            }
            this.log.warn({ err: err instanceof Error ? err.message : String(err), retryInMs }, `${what} watch failed; restarting`);
          },
        }),
      };
      return w;
    };
    this.watched = {
      namespaced: watch(MAINTENANCEEXCLUSIONS_PATH, 'MaintenanceExclusions'),
      cluster: watch(CLUSTERMAINTENANCEEXCLUSIONS_PATH, 'ClusterMaintenanceExclusions'),
      namespaces: watch(NAMESPACES_PATH, 'Namespaces'),
    };
  }

  /** Starts listing and watching; resolves once the first lists have succeeded or failed. */
  async start(): Promise<void> {
    await Promise.all(Object.values(this.watched).map((w) => w.informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.watched).map((w) => w.informer.stop()));
  }

  /** Every collection listed once, or known not to be served. */
  synced(): boolean {
    return Object.values(this.watched).every((w) => w.informer.hasSynced || w.missing);
  }

  /** The freezes and namespace labels as the caches hold them now. */
  set(): ExclusionSet {
    const { namespaced, cluster, namespaces } = this.watched;
    // List items of a custom resource carry their kind; set it anyway, the informer says which it is.
    const as = (kind: MaintenanceExclusion['kind']) => (o: KubeObject) => ({ ...(o as unknown as MaintenanceExclusion), kind });
    return {
      exclusions: [
        ...namespaced.informer.list().map(as(MAINTENANCE_EXCLUSION_KIND)),
        ...cluster.informer.list().map(as(CLUSTER_MAINTENANCE_EXCLUSION_KIND)),
      ].filter((e) => typeof e.spec === 'object' && e.spec !== null),
      namespaceLabels: (namespace) => {
        const ns = namespaces.informer.get(namespace);
        return ns ? ((ns.metadata.labels as Record<string, string> | undefined) ?? {}) : undefined;
      },
    };
  }
}
