import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalTable {
  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint: string;
  readonly tableName: string;
  close(): Promise<void>;
}

/**
 * A DynamoDB table on this machine: dynalite (a DynamoDB-compatible server, in this process: no
 * Docker, no Java) holding one table with a string partition key, as the stack's tables are.
 */
export async function startLocalTable(options: {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly port?: number;
}): Promise<LocalTable> {
  const { tableName, partitionKey } = options;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new DynamoDBClient({ endpoint });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    await close();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tableName, close };
}

/** The replay guard's table, keyed as the stack's is: `pk`. */
export function startLocalReplayTable(
  options: { port?: number; tableName?: string } = {},
): Promise<LocalTable> {
  return startLocalTable({
    tableName: options.tableName ?? 'replay-guard',
    partitionKey: 'pk',
    ...(options.port === undefined ? {} : { port: options.port }),
  });
}

/** The reference consumer's idempotency table, keyed as the ReferenceConsumer deploys it: `id`. */
export function startLocalIdempotencyTable(): Promise<LocalTable> {
  return startLocalTable({ tableName: 'consumer-idempotency', partitionKey: 'id' });
}
