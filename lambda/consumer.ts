import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { JsonLogger } from './adapters/log.js';
import { parseCallbackMessage } from './core/contract.js';
import type { CallbackMessage, CallRejectedMessage } from './core/message.js';

/**
 * The reference consumer: a Lambda subscribed to the callback queue (off by default; CDK
 * context `referenceConsumer=true`). Copy it, and put your own logic in `onCallRejected`.
 *
 * What it shows:
 * - parse with `parseCallbackMessage`: a message that is not the contract is poison, reported
 *   failed, and after 5 receives SQS moves it to the dead-letter queue;
 * - partial batch failures (ReportBatchItemFailures): only the failed messages come back;
 * - FIFO: once a message fails, every later message of its group (its call) is reported failed
 *   unprocessed, so that no event of a call overtakes an earlier one; other calls go on;
 * - idempotency: SQS deduplicates ZEGOCLOUD's retries for 5 minutes, but a message can still
 *   be delivered twice (a consumer that fails after its work, before the delete). Key your
 *   side effects on `message.id`.
 */
const log = new JsonLogger();

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const failedGroups = new Set<string | undefined>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId;
    if (failedGroups.has(group)) {
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await processRecord(record);
    } catch (error) {
      log.log('ERROR', 'message failed', {
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      failures.push({ itemIdentifier: record.messageId });
      failedGroups.add(group);
    }
  }
  return { batchItemFailures: failures };
}

async function processRecord(record: SQSRecord): Promise<void> {
  const parsed = parseCallbackMessage(record.body);
  if (!parsed.ok) throw parsed.error;
  await dispatch(parsed.message);
}

async function dispatch(message: CallbackMessage): Promise<void> {
  switch (message.event) {
    case 'call_reject':
      return onCallRejected(message);
    default:
      // Other events arrive only when the stack forwards them (forwardEvents); handle them here.
      log.log('INFO', 'event not handled by this consumer', {
        event: message.event,
        id: message.id,
      });
  }
}

/** Your logic goes here: notify the caller, update the call's state, bill, ... */
async function onCallRejected(message: CallRejectedMessage): Promise<void> {
  log.log('INFO', 'call rejected', {
    id: message.id,
    appId: message.appId,
    callId: message.callId,
    userId: message.userId,
    timestamp: message.timestamp,
  });
}
