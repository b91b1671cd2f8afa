import { hash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ReplayedSignatureError, ReplayGuardError } from '../core/errors.js';
import type { SignedFields } from '../core/signature.js';
import type { Config } from './config.js';
import { withDeadline } from './deadline.js';
import { perCallbackClientSettings } from './sdk-client-settings.js';

export interface ReplayGuard {
  /**
   * Records a verified (timestamp, nonce, signature) with a digest of its body, or refuses it
   * when the same triple was accepted before with another body.
   */
  admit(signed: SignedFields, bodyDigest: string): Promise<void>;
}

/** Leaves time for the SQS send under the same 5-second answer budget. */
export const GUARD_DEADLINE_MS = 1_000;

/**
 * One conditional PutItem per callback: it succeeds when the triple is new, or known with the
 * same body (a ZEGOCLOUD retry), and fails when it is known with another body. Items expire
 * (DynamoDB TTL) once their timestamp is out of the accepted window, when the timestamp
 * check refuses them anyway. The table holds digests only, never a signature.
 */
export class DynamoReplayGuard implements ReplayGuard {
  private readonly client: DynamoDBClient;

  constructor(
    private readonly tableName: string,
    /** How long after its timestamp a callback can still be accepted. */
    private readonly windowSeconds: number,
    clientConfig: DynamoDBClientConfig = {},
    private readonly deadlineMs: number = GUARD_DEADLINE_MS,
  ) {
    this.client = new DynamoDBClient(clientConfig);
  }

  async admit(signed: SignedFields, bodyDigest: string): Promise<void> {
    const client = this.client;
    const key = hash('sha256', `${signed.timestamp}\n${signed.nonce}\n${signed.signature}`, 'hex');
    const expiresAt = Number(signed.timestamp) + this.windowSeconds + 60;
    try {
      // No options on send: they would defeat the client's middleware cache (see sdk-client-settings.ts).
      await withDeadline(
        this.deadlineMs,
        client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: { S: key },
              bodyDigest: { S: bodyDigest },
              expiresAt: { N: String(expiresAt) },
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
export function replayGuardFromConfig(config: Config): ReplayGuard | undefined {
  if (config.replayTableName === undefined) return undefined;
  return new DynamoReplayGuard(
    config.replayTableName,
    // With the time check off, a triple stays acceptable for as long as TTL allows: a day.
    config.policy.toleranceSeconds || 86_400,
    { ...perCallbackClientSettings, endpoint: config.dynamodbEndpoint },
  );
}
