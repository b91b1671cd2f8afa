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
 * The reference consumer (context `referenceConsumer=true`): copy it, put your logic in
 * `onCallRejected`. Powertools Batch with `skipGroupOnError`: a failed message goes back with the
 * later ones of its call, so that no event overtakes an earlier one; one that is not the contract
 * fails every receive (after 5, the DLQ). Idempotency on `id`: a message not deleted comes again.
 */

const logger = new Logger({ serviceName: 'zego-callback-consumer' });

// Missing, the function fails at cold start rather than run side effects without their guard.
const tableName = process.env.IDEMPOTENCY_TABLE_NAME;
if (!tableName) throw new Error('IDEMPOTENCY_TABLE_NAME is not set');

const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'id',
  throwOnNoIdempotencyKey: true,
  // As long as SQS keeps a message (14 days on the queue or the DLQ); DynamoDB's TTL removes it.
  expiresAfterSeconds: 14 * 24 * 60 * 60,
  responseHook: (response, record) => {
    logger.info('message already processed, skipped', { idempotencyKey: record.idempotencyKey });
    return response;
  },
});

/** A fixed prefix: renaming the function or `handleMessage` must not make old messages look new. */
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
  const { id, appId, callId, userId, timestamp } = message;
  logger.info('call rejected', { id, appId, callId, userId, timestamp });
}
