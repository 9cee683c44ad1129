import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 5, thresholds: { checks: ['rate==1'] } };

export default function () {
  const res = http.get(`${__ENV.BASE_URL}/healthz`);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
