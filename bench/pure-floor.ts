export { makeBodies } from './bodies.js';

/** The floor's pure path: parse the JSON body and build the SendMessage input. */
export function processAll(bodies: readonly string[]): number {
  let built = 0;
  for (const body of bodies) {
    const parsed = JSON.parse(body) as { call_id: string; user_id: string };
    const input = {
      QueueUrl: 'q',
      MessageBody: body,
      MessageGroupId: parsed.call_id,
      MessageDeduplicationId: `${parsed.call_id}.${parsed.user_id}`,
    };
    if (input.MessageGroupId) built++;
  }
  return built;
}
