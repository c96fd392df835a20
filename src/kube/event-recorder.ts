// core/v1 Events about a Shoot, as Gardener's event recorder writes them.
import { createHash, randomBytes } from 'node:crypto';
import type { Shoot } from '../core/shoot.js';
import { KubeApiError, type KubeRestClient } from './rest-client.js';

export const EVENT_SOURCE_COMPONENT = 'shoot-maintenance-scheduler';

export interface ShootEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export class EventRecorder {
  constructor(
    private readonly client: KubeRestClient,
    private readonly host: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates the Event. With a `dedupKey` its name is derived from the shoot and the key, so the
   * same Event recorded twice (a run finished by another replica after a crash) exists once.
   */
  async record(shoot: Shoot, event: ShootEvent, dedupKey?: string): Promise<void> {
    const namespace = shoot.metadata.namespace ?? 'default';
    const name = shoot.metadata.name ?? '';
    const suffix =
      dedupKey === undefined
        ? `${Date.now().toString(16)}${randomBytes(4).toString('hex')}`
        : createHash('sha256').update(`${shoot.metadata.uid ?? `${namespace}/${name}`}\u0000${dedupKey}`).digest('hex').slice(0, 20);
    const timestamp = this.now().toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${suffix}`, namespace },
      involvedObject: {
        apiVersion: shoot.apiVersion,
        kind: 'Shoot',
        namespace,
        name,
        uid: shoot.metadata.uid,
        resourceVersion: shoot.metadata.resourceVersion,
      },
      reason: event.reason,
      message: event.message,
      type: event.type,
      action: 'Reconcile',
      source: { component: EVENT_SOURCE_COMPONENT, host: this.host },
      reportingComponent: EVENT_SOURCE_COMPONENT,
      reportingInstance: this.host,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
    };
    try {
      await this.client.request({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, body });
    } catch (err) {
      if (dedupKey !== undefined && err instanceof KubeApiError && err.isAlreadyExists) return;
      throw err;
    }
  }
}
