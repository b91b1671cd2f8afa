/** Every client fails fast at each layer: the deadline (deadline.ts) is the last resort. */
export const sdkClientSettings = {
  maxAttempts: 3,
  requestHandler: {
    connectionTimeout: 500,
    requestTimeout: 1_000,
    // Without this the SDK only logs a warning when requestTimeout passes, and keeps waiting.
    throwOnRequestTimeout: true,
  },
} as const;

/**
 * The clients called once per callback (SQS, the guard's DynamoDB) resolve each command's
 * middleware once (measured: ~45 µs, 7% of the warm path). The SDK only does so when `send`
 * gets no options, so no abort signal: the attempt left running at the deadline stays bounded by
 * the timeouts above, and a message it stores after all is what ZEGOCLOUD's retry deduplicates.
 */
export const perCallbackClientSettings = { ...sdkClientSettings, cacheMiddleware: true } as const;

/** An SDK client as an entry point wants it: as it is, or recorded by X-Ray (entry-traced.ts). */
export type Traced = <C extends SdkClient>(client: C) => C;
type SdkClient = { middlewareStack: { use: unknown; remove: unknown }; config: unknown };
