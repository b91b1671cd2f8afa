import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/**
 * The floor: the least a callback receiver can do (parse the JSON body, send one SQS message
 * with the same SDK) with no verification, validation or error handling. Benchmarks only.
 * FLOOR_SDK_CACHE=true gives it the SDK middleware cache the handler uses, for a reference
 * figure of what remains once the SDK is configured alike.
 */
const client = new SQSClient({ cacheMiddleware: process.env.FLOOR_SDK_CACHE === 'true' });

export const handler = async (event: { body?: string }) => {
  const body = JSON.parse(event.body ?? '{}') as { call_id: string; user_id: string };
  const output = await client.send(
    new SendMessageCommand({
      QueueUrl: process.env.QUEUE_URL,
      MessageBody: event.body,
      MessageGroupId: body.call_id,
      MessageDeduplicationId: `${body.call_id}.${body.user_id}`,
    }),
  );
  return { statusCode: 200, body: output.MessageId };
};
