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
  /**
   * Argo failureCondition over `result`. Both conditions need a value, so an empty or NaN result (no traffic,
   * no series yet) is Inconclusive: Argo pauses the rollout for a person instead of passing or aborting it.
   */
  failureCondition: string;
  failureLimit: number;
  /** Human description of the threshold. */
  threshold: string;
  /** Engine-side check of one value. */
  passes(value: number): boolean;
}

/** The rate() window of every query; the Argo analysis waits this long before its first measurement. */
export const RATE_WINDOW = "2m";

const selector = (service: string, namespace: string, extra = "") =>
  `namespace="${namespace}",service="${service}"${extra}`;

/**
 * Error ratio of one service, 0..1. Client libraries create the `status="5xx"` series only at the first error, so
 * the numerator falls back to `vector(0)`: a healthy service with no 5xx series yet has ratio 0, not an empty
 * result. With no requests at all the denominator is empty (or 0) and the ratio stays empty/NaN: no verdict.
 */
const errorRatio = (service: string, namespace: string) =>
  `(sum(rate(http_requests_total{${selector(service, namespace, ',status=~"5.."')}}[${RATE_WINDOW}])) or vector(0)) / sum(rate(http_requests_total{${selector(service, namespace)}}[${RATE_WINDOW}]))`;

/** `result[0] OP value` only when there is a first value; NaN compares false both ways in Argo's expr. */
const cond = (op: string, value: number) => `len(result) > 0 && result[0] ${op} ${value}`;

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
      successCondition: cond(">=", minSuccess),
      failureCondition: cond("<", minSuccess),
      failureLimit: 1,
      threshold: `success rate >= ${minSuccess}`,
      passes: (v) => Number.isFinite(v) && v >= minSuccess,
    },
    {
      name: "error-rate-vs-baseline",
      query: `(${errorRatio(service, namespace)}) / clamp_min(${errorRatio(baselineService, namespace)}, ${BASELINE_FLOOR})`,
      successCondition: cond("<=", 2),
      failureCondition: cond(">", 2),
      failureLimit: 1,
      threshold: `error rate <= 2x the baseline (${baselineService}; floor ${BASELINE_FLOOR})`,
      passes: (v) => Number.isFinite(v) && v <= 2,
    },
    {
      name: "latency-p99",
      query: `histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{${selector(service, namespace)}}[${RATE_WINDOW}])) by (le))`,
      successCondition: cond("<=", latencyP99Seconds),
      failureCondition: cond(">", latencyP99Seconds),
      failureLimit: 1,
      threshold: `p99 latency <= ${latencyP99Seconds}s`,
      passes: (v) => Number.isFinite(v) && v <= latencyP99Seconds,
    },
  ];
}
