import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalIdempotencyTable {
  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint: string;
  readonly tableName: string;
  /** A client of this table, for the tests' own reads. */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/**
 * The reference consumer's idempotency table on this machine: dynalite (in process, as for
 * the replay guard) with the key the ReferenceConsumer construct deploys, string `id`.
 */
export async function startIdempotencyTable(): Promise<LocalIdempotencyTable> {
  const tableName = 'consumer-idempotency';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint });
  const close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, tableName, client, close };
}
