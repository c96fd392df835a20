// POST /mutate/shoots, /validate/shoots, /validate/cloudprofiles, /validate/namespacedcloudprofiles,
// /validate/maintenanceexclusions, /validate/clustermaintenanceexclusions: AdmissionReview v1 in and out.
// The body arrives parsed (app.ts installs the JSON parser); decoding failures are answered 400
// by the app's error handler, everything else with 200 and an AdmissionReview.
import type { FastifyError, FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';
import { validateCloudProfileReview, validateNamespacedCloudProfileReview } from '../../admission/cloudprofile-handlers.js';
import { validateClusterMaintenanceExclusionReview, validateMaintenanceExclusionReview } from '../../admission/exclusion-handlers.js';
import type { AdmissionDeps } from '../../admission/handler-deps.js';
import { decodeAdmissionReview, encodeAdmissionReview, type AdmissionRequest, type AdmissionResponse } from '../../admission/review.js';
import { mutateShootReview, validateShootReview } from '../../admission/shoot-handlers.js';
import { requireClientCertificate } from '../client-certificate.js';
import { replyClientError } from '../client-errors.js';
import type { ReviewOutcome, WebhookMetrics } from '../metrics.js';

export const ADMISSION_ROUTES = {
  '/mutate/shoots': mutateShootReview,
  '/validate/shoots': validateShootReview,
  '/validate/cloudprofiles': validateCloudProfileReview,
  '/validate/namespacedcloudprofiles': validateNamespacedCloudProfileReview,
  '/validate/maintenanceexclusions': validateMaintenanceExclusionReview,
  '/validate/clustermaintenanceexclusions': validateClusterMaintenanceExclusionReview,
} as const satisfies Record<string, (request: AdmissionRequest, deps: AdmissionDeps) => AdmissionResponse>;

export type AdmissionRoute = keyof typeof ADMISSION_ROUTES;

export interface AdmissionRoutesOptions {
  deps: Omit<AdmissionDeps, 'log'>;
  metrics: WebhookMetrics;
  /** `--client-ca` is set: these routes need a client certificate signed by it. */
  requireClientCertificate: boolean;
}

function outcomeOf(response: AdmissionResponse): ReviewOutcome {
  if (!response.allowed) return 'denied';
  return response.patch ? 'patched' : 'allowed';
}

export const admissionRoutes: FastifyPluginCallback<AdmissionRoutesOptions> = (app, options, done) => {
  const { deps, metrics } = options;
  // Hooks of this plugin apply to these routes only (fastify encapsulation).
  if (options.requireClientCertificate) requireClientCertificate(app);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.latency.observe({ route: request.routeOptions.url as AdmissionRoute }, reply.elapsedTime / 1000);
    done();
  });
  // A review that cannot be read (413, 415, 400) is counted before the one-line answer.
  app.setErrorHandler((err, request, reply) => {
    metrics.requests.inc({ route: request.routeOptions.url as AdmissionRoute, operation: 'unknown', outcome: 'malformed' });
    return replyClientError(err as FastifyError, request, reply);
  });
  for (const [route, handler] of Object.entries(ADMISSION_ROUTES)) {
    app.post(route, async (request, reply) => {
      const review = decodeAdmissionReview(request.body);
      const { uid, operation } = review.request;
      // The child logger carrying the uid is made only when a handler logs (errors, debug).
      const requestLog = request.log as Logger; // app.ts hands fastify a pino logger
      const debugOn = requestLog.isLevelEnabled('debug');
      let child: Logger | undefined;
      const log = (): Logger => (child ??= requestLog.child({ uid }));
      const response = handler(review.request, {
        ...deps,
        log: {
          error: (details, message) => log().error(details, message),
          debug: (details, message) => {
            if (debugOn) log().debug(details, message);
          },
        },
      });
      const outcome = outcomeOf(response);
      metrics.requests.inc({ route, operation, outcome });
      // Debug only: a line per request at info costs a third of the throughput.
      if (debugOn) log().debug({ route, operation, outcome, dryRun: review.request.dryRun === true }, 'review answered');
      return reply.send(encodeAdmissionReview(response));
    });
  }
  done();
};
