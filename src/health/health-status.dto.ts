export class HealthStatus {
  /** Always `ok` when the status code is 200. */
  status: 'ok';
}
