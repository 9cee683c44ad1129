// K6 smoke test for the preview (green) version, run by the Rollout's
// prePromotionAnalysis before a person promotes it. The AnalysisTemplate sets:
//   BASE_URL              the preview Service URL
//   SMOKE_PATH            the path to request
//   SMOKE_P95_MS          threshold: 95th percentile duration in milliseconds
//   SMOKE_MAX_ERROR_RATE  threshold: share of failed requests allowed
//   K6_VUS, K6_DURATION   load (k6 reads these itself)
// k6 exits non-zero when a threshold fails, which fails the analysis.
import http from 'k6/http';
import { check, sleep } from 'k6';

const baseUrl = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
const path = __ENV.SMOKE_PATH || '/';
const p95Ms = __ENV.SMOKE_P95_MS || '500';
const maxErrorRate = __ENV.SMOKE_MAX_ERROR_RATE || '0.01';

export const options = {
  vus: 1,
  duration: '30s',
  thresholds: {
    http_req_duration: [`p(95)<${p95Ms}`],
    http_req_failed: [`rate<=${maxErrorRate}`],
    checks: [`rate>=${1 - Number(maxErrorRate)}`],
  },
};

export default function () {
  const res = http.get(`${baseUrl}${path}`);
  check(res, {
    'status is 2xx': (r) => r.status >= 200 && r.status < 300,
  });
  sleep(1);
}
