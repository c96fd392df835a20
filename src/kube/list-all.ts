// One list of a resource, all pages (`limit` + `continue`), for the one-shot reads of
// `shoot-maintenance schedule --kubeconfig`. `missingIsEmpty`: a 404 (the resource's CRD is not
// installed) is an empty list instead of an error.
import type { KubeObject } from './informer.js';
import { KubeApiError, type KubeRestClient } from './rest-client.js';

const PAGE_SIZE = 500;

interface ListPage {
  items?: KubeObject[];
  metadata?: { continue?: string };
}

export async function listAll(client: KubeRestClient, path: string, opts: { missingIsEmpty?: boolean } = {}): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  do {
    let page: ListPage;
    try {
      page = await client.request<ListPage>({ method: 'GET', path, query: { limit: PAGE_SIZE, continue: token } });
    } catch (err) {
      if (opts.missingIsEmpty && err instanceof KubeApiError && err.isNotFound) return [];
      throw err;
    }
    items.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return items;
}
