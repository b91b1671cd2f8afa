import { hash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ReplayedSignatureError, ReplayGuardError } from '../core/errors.js';
import type { SignedFields } from '../core/signature.js';
import type { Config } from './config.js';
import { withDeadline } from './deadline.js';
import { perCallbackClientSettings, type Traced } from './sdk-client-settings.js';

export interface ReplayGuard {
  /**
   * Records a verified signature with a digest of its body, or refuses it when the signature
   * was accepted before with another body.
   */
  admit(signed: SignedFields, bodyDigest: string, withinMs?: number): Promise<void>;
}

/** A slow table must not take the SQS send's share of the callback's budget. */
export const GUARD_DEADLINE_MS = 1_000;

/**
 * One conditional PutItem per callback: it succeeds when the signature is new, or known with
 * the same body (a ZEGOCLOUD retry), and fails when it is known with another body. The table
 * holds digests only, never a signature.
 */
export class DynamoReplayGuard implements ReplayGuard {
  constructor(
    private readonly tableName: string,
    /** The time window, either way; 0 (no time check): a capture is accepted for ever. */
    private readonly toleranceSeconds: number,
    private readonly client: DynamoDBClient,
    private readonly deadlineMs: number = GUARD_DEADLINE_MS,
  ) {}

  async admit(signed: SignedFields, bodyDigest: string, withinMs = this.deadlineMs): Promise<void> {
    // The signature alone: it binds secret, timestamp and nonce joined with no separator, so
    // moving characters between the nonce and the timestamp is the same capture, the same key.
    const pk = hash('sha256', signed.signature, 'hex');
    // Kept while the capture could be accepted, a minute more for clocks; no time check: for ever.
    const expiresAt = Number(signed.timestamp) + this.toleranceSeconds + 60;
    try {
      // No options on send: they would defeat the client's middleware cache (see sdk-client-settings.ts).
      await withDeadline(
        Math.min(this.deadlineMs, withinMs),
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: { S: pk },
              bodyDigest: { S: bodyDigest },
              ...(this.toleranceSeconds > 0 && { expiresAt: { N: String(expiresAt) } }),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR bodyDigest = :digest',
            ExpressionAttributeValues: { ':digest': { S: bodyDigest } },
          }),
        ),
      );
    } catch (cause) {
      if (cause instanceof ConditionalCheckFailedException) {
        throw new ReplayedSignatureError('signature already used with another body', { cause });
      }
      throw new ReplayGuardError('the replay guard could not record the callback', { cause });
    }
  }
}

/**
 * The guard as the replay-guard entry point wires it (lambda/entry-replay-guard.ts). Only that
 * entry imports this module, so the default bundle carries no DynamoDB client at all.
 */
export function replayGuardFromConfig(config: Config, traced: Traced = (c) => c) {
  if (config.replayTableName === undefined) return undefined;
  const endpoint = config.awsEndpointUrlDynamodb;
  const client = traced(new DynamoDBClient({ ...perCallbackClientSettings, endpoint }));
  return new DynamoReplayGuard(config.replayTableName, config.policy.toleranceSeconds, client);
}
