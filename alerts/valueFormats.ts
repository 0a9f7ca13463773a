/**
 * How an alert's description prints `$value`, written once for every rule file. Prometheus renders annotations
 * with Go's text/template; `humanize` prints SI prefixes, so a rate of 0.2/s reads "200m" and a float just under
 * one, as Prometheus 3 computes `rate()` over its left-open windows (0.9999999999999999), reads "1000m" — text
 * that on-call would see. Counts are printed whole, rates with two decimals, and failures that happen once in a
 * while are alerted on as a count over the window (`increase`), never as a tiny per-second rate.
 */

/** A count over a window (an `increase`, extrapolated so rarely whole) or a projected count: `3`, `16125`. */
export const COUNT = '{{ $value | printf "%.0f" }}';

/** A per-second rate whose threshold is a few per second or more: `12.00`, `0.50`. */
export const PER_SECOND = '{{ $value | printf "%.2f" }}';
