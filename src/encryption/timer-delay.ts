/**
 * Node's timers hold a signed 32-bit millisecond delay: anything larger (about 24.8 days) is
 * replaced by 1 ms with a TimeoutOverflowWarning, so a KMS `timeout: 1000h` or a client's
 * `grpc-timeout: 99999999H` (valid gRPC: up to 8 digits of hours) would expire at once.
 * Such a deadline means practically none: the timer is set at the longest delay Node keeps.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** `ms`, clamped to what setTimeout accepts as given. */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_DELAY_MS);
}
