// Grafana's own substitutions, for running a dashboard expression outside Grafana: the rate
// interval and range, and "All" for the public-name and provider variables.
export function grafanaExpr(expr: string): string {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$__range/g, '1h')
    .replace(/\$public_name|\$provider/g, '.*');
}
