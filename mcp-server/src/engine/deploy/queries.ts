/**
 * PromQL used by both the Argo AnalysisTemplate (with `{{args.*}}` placeholders Argo fills in) and the engine's
 * own metric gate (with concrete values). They assume the common RED metrics: `http_requests_total` with a
 * `status` label and `http_request_duration_seconds_bucket`, both carrying `namespace` and `service` labels
 * (what a ServiceMonitor/PodMonitor attaches by default).
 */
export interface MetricQuery {
  name: "success-rate" | "error-rate-vs-baseline" | "latency-p99";
  query: string;
  /** Argo successCondition over `result`. */
  successCondition: string;
  failureLimit: number;
  /** Human description of the threshold. */
  threshold: string;
  /** Engine-side check of one value. */
  passes(value: number): boolean;
}

const selector = (service: string, namespace: string, extra = "") =>
  `namespace="${namespace}",service="${service}"${extra}`;

/** Error ratio of one service, 0..1; NaN (no result) when it got no traffic. */
const errorRatio = (service: string, namespace: string) =>
  `sum(rate(http_requests_total{${selector(service, namespace, ',status=~"5.."')}}[2m])) / sum(rate(http_requests_total{${selector(service, namespace)}}[2m]))`;

/** Below this the baseline error ratio is treated as this value, so a perfect baseline does not make one error fatal. */
export const BASELINE_FLOOR = 0.005;

export function metricQueries(opts: {
  service: string;
  baselineService: string;
  namespace: string;
  errorRateThreshold: number;
  latencyP99Seconds: number;
}): MetricQuery[] {
  const { service, baselineService, namespace, errorRateThreshold, latencyP99Seconds } = opts;
  const minSuccess = Math.round((1 - errorRateThreshold) * 10000) / 10000;
  return [
    {
      name: "success-rate",
      query: `1 - (${errorRatio(service, namespace)})`,
      successCondition: `result[0] >= ${minSuccess}`,
      failureLimit: 1,
      threshold: `success rate >= ${minSuccess}`,
      passes: (v) => Number.isFinite(v) && v >= minSuccess,
    },
    {
      name: "error-rate-vs-baseline",
      query: `(${errorRatio(service, namespace)}) / clamp_min(${errorRatio(baselineService, namespace)}, ${BASELINE_FLOOR})`,
      successCondition: "result[0] <= 2",
      failureLimit: 1,
      threshold: `error rate <= 2x the baseline (${baselineService}; floor ${BASELINE_FLOOR})`,
      passes: (v) => Number.isFinite(v) && v <= 2,
    },
    {
      name: "latency-p99",
      query: `histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{${selector(service, namespace)}}[2m])) by (le))`,
      successCondition: `result[0] <= ${latencyP99Seconds}`,
      failureLimit: 1,
      threshold: `p99 latency <= ${latencyP99Seconds}s`,
      passes: (v) => Number.isFinite(v) && v <= latencyP99Seconds,
    },
  ];
}
