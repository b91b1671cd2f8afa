import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  type CallbackMessage,
  type CallRejectedMessage,
  parseCallbackMessage,
} from './core/contract.js';

/**
 * The reference consumer: a Lambda subscribed to the callback queue (off by default; CDK
 * context `referenceConsumer=true`). Copy it, and put your own logic in `onCallRejected`.
 * Built on Powertools for AWS Lambda (TypeScript):
 *
 * - Batch, `SqsFifoPartialProcessorAsync` with `skipGroupOnError`: only failed messages go
 *   back to the queue (ReportBatchItemFailures). Once a message fails, the later messages of
 *   its group (its call) are reported failed unprocessed, so no event of a call overtakes an
 *   earlier one; other calls go on. If every message fails, the invocation fails.
 * - parse with `parseCallbackMessage`: a message that is not the contract is poison, fails on
 *   every receive, and after 5 SQS moves it to the dead-letter queue.
 * - Idempotency keyed on the message `id`: SQS drops ZEGOCLOUD's retries for 5 minutes, but a
 *   message can still arrive twice (processed, then the delete was lost). The first delivery
 *   records the `id` in DynamoDB; a later one finds it and skips your logic.
 * - Logger: one JSON line per event, with the Lambda context's fields.
 */

const logger = new Logger({ serviceName: 'zego-callback-consumer' });

// Set by the ReferenceConsumer construct. Missing, the function fails at cold start, loudly,
// rather than running side effects without their guard.
const tableName = process.env.IDEMPOTENCY_TABLE_NAME;
if (!tableName) throw new Error('IDEMPOTENCY_TABLE_NAME is not set');

const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'id',
  throwOnNoIdempotencyKey: true,
  // A copy of a message can come back for as long as SQS keeps it (the queue's and the
  // dead-letter queue's 14 days): its record must outlive that. DynamoDB's TTL removes it.
  expiresAfterSeconds: 14 * 24 * 60 * 60,
  responseHook: (response, record) => {
    logger.info('message already processed, skipped', { idempotencyKey: record.idempotencyKey });
    return response;
  },
});

/**
 * The message `id` alone keys the record (the table belongs to this consumer): a fixed prefix,
 * so that renaming the function or `handleMessage` does not make old messages look new.
 */
const handleOnce = makeIdempotent(handleMessage, {
  persistenceStore: new DynamoDBPersistenceLayer({ tableName }),
  config: idempotency,
  keyPrefix: 'zego-callback-message',
});

/** One per execution environment: Lambda gives it one batch at a time. */
const processor = new SqsFifoPartialProcessorAsync();

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  // An INPROGRESS record expires with this invocation, so a timed-out attempt can be retried.
  idempotency.registerLambdaContext(context);
  return processPartialResponse(event, processRecord, processor, {
    context,
    skipGroupOnError: true,
  });
}

async function processRecord(record: SQSRecord): Promise<void> {
  try {
    const parsed = parseCallbackMessage(record.body);
    if (!parsed.ok) throw parsed.error;
    await handleOnce(parsed.message);
  } catch (error) {
    logger.error('message failed', {
      messageId: record.messageId,
      callId: record.attributes.MessageGroupId,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
      error: error as Error,
    });
    throw error;
  }
}

async function handleMessage(message: CallbackMessage): Promise<void> {
  switch (message.event) {
    case 'call_reject':
      return onCallRejected(message);
    default:
      // Other events arrive only when the stack forwards them (forwardEvents); handle them here.
      logger.info('event not handled by this consumer', { event: message.event, id: message.id });
  }
}

/** Your logic goes here: notify the caller, update the call's state, bill, ... */
async function onCallRejected(message: CallRejectedMessage): Promise<void> {
  logger.info('call rejected', {
    id: message.id,
    appId: message.appId,
    callId: message.callId,
    userId: message.userId,
    timestamp: message.timestamp,
  });
}
